// How an API call ends: the value it returns, or a XenAPI error. Handlers,
// the pool backend's mutations and forwarded calls all finish by handing one
// Outcome to a Reply, exactly once, possibly long after they were started.
#pragma once

#include <functional>
#include <utility>
#include <variant>

#include <nlohmann/json.hpp>

#include "api/rpc_transport.h"
#include "common/check.h"

namespace poolha::api {

class Outcome {
 public:
  static Outcome success(nlohmann::json value) { return Outcome(std::move(value)); }
  // What xapi returns for a call that has no result: the empty string.
  static Outcome done() { return Outcome(nlohmann::json("")); }
  static Outcome failure(XenApiError error) { return Outcome(std::move(error)); }

  bool ok() const { return std::holds_alternative<nlohmann::json>(v_); }
  const nlohmann::json& value() const {
    POOLHA_CHECK(ok(), "value() of a failed outcome");
    return std::get<nlohmann::json>(v_);
  }
  const XenApiError& error() const {
    POOLHA_CHECK(!ok(), "error() of a successful outcome");
    return std::get<XenApiError>(v_);
  }

 private:
  explicit Outcome(nlohmann::json value) : v_(std::move(value)) {}
  explicit Outcome(XenApiError error) : v_(std::move(error)) {}

  std::variant<nlohmann::json, XenApiError> v_;
};

// Receives the outcome of one call. Called exactly once.
using Reply = std::function<void(Outcome)>;

}  // namespace poolha::api
