// How a client reaches a pool's XenAPI-style JSON-RPC endpoint: one call is a
// method name and its positional parameters, answered by the result or by a
// XenAPI error. The xe CLI and slaves forwarding to the master talk through
// this interface; tests substitute a fake.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace poolha::api {

// A XenAPI failure: ErrorDescription is the error code followed by its
// parameters, e.g. {"HANDLE_INVALID", "VM", "OpaqueRef:..."}.
class XenApiError : public std::runtime_error {
 public:
  explicit XenApiError(std::vector<std::string> description)
      : std::runtime_error(description.empty() ? "INTERNAL_ERROR" : description.front()),
        description_(description.empty() ? std::vector<std::string>{"INTERNAL_ERROR"}
                                         : std::move(description)) {}
  const std::vector<std::string>& description() const { return description_; }
  const std::string& code() const { return description_.front(); }

 private:
  std::vector<std::string> description_;
};

// The endpoint could not be reached or answered with something that is not
// JSON-RPC (connection refused, timeout, HTTP error, malformed body).
class TransportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class RpcTransport {
 public:
  virtual ~RpcTransport() = default;
  // Returns the JSON-RPC "result". Throws XenApiError for an "error" answer
  // carrying a XenAPI ErrorDescription, TransportError for everything else.
  virtual nlohmann::json call(const std::string& method, const nlohmann::json& params) = 0;
};

}  // namespace poolha::api
