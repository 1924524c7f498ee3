// A fake XenAPI endpoint for the xe tests: an in-memory pool answering the
// standard calls (login, get_all_records, get_record, get_by_uuid,
// get_by_name_label, set_<field>) the way poolha's API does, every call
// recorded with its parameters. Tests add canned answers or errors per method.
#pragma once

#include <deque>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/rpc_transport.h"

namespace poolha::xe::testing {

// The objects of the standard test pool.
inline constexpr const char* kPoolUuid = "a1d3c9e0-5b2f-4c61-9a57-0d8e4f6b7c21";
inline constexpr const char* kHost1Uuid = "1f6c2b8e-3d4a-4e5f-8a9b-0c1d2e3f4a51";
inline constexpr const char* kHost2Uuid = "2a7d3c9f-4e5b-4f60-9bac-1d2e3f4a5b62";
inline constexpr const char* kHeartbeatSrUuid = "5e8f1a2b-6c7d-4e8f-a0b1-c2d3e4f5a6b7";
inline constexpr const char* kLocalSrUuid = "6f9a2b3c-7d8e-4f90-b1c2-d3e4f5a6b7c8";
inline constexpr const char* kMinionVmUuid = "7a0b3c4d-8e9f-4a01-c2d3-e4f5a6b7c8d9";
inline constexpr const char* kWebVmUuid = "8b1c4d5e-9fa0-4b12-d3e4-f5a6b7c8d9ea";
inline constexpr const char* kSessionRef = "OpaqueRef:6d1f0c2a-session";
inline constexpr const char* kPassword = "secret";

// "OpaqueRef:<uuid>", as poolha's API makes references.
std::string object_ref(const std::string& uuid);

class FakeXenApi : public api::RpcTransport {
 public:
  struct Call {
    std::string method;
    nlohmann::json params;
  };

  // The standard pool: two hosts (lab1 master, lab2), the shared heartbeat SR
  // "MGMT-HA" and a local SR, VMs "Minion 1" (running on lab1) and "web" (halted).
  FakeXenApi();

  nlohmann::json call(const std::string& method, const nlohmann::json& params) override;

  // ---- setup ------------------------------------------------------------
  // Adds an object; returns its reference.
  std::string add(const std::string& api_class, nlohmann::json record);
  void remove(const std::string& api_class, const std::string& uuid);
  nlohmann::json& record(const std::string& api_class, const std::string& uuid);
  // Every later call of `method` raises this XenAPI error.
  void fail(const std::string& method, std::vector<std::string> description);
  // Every later call of `method` raises a transport error.
  void fail_transport(const std::string& method);
  // Every later call of `method` returns `result`.
  void answer(const std::string& method, nlohmann::json result);
  // The next calls of `method` return these results, one each, in order;
  // a result made by xenapi_error() is raised instead of returned.
  void answer_in_turn(const std::string& method, std::vector<nlohmann::json> results);
  static nlohmann::json xenapi_error(std::vector<std::string> description);

  // ---- inspection -------------------------------------------------------
  const std::vector<Call>& calls() const { return calls_; }
  std::vector<std::string> methods() const;
  // The calls other than login, logout and reads (get_*): what changed the pool.
  std::vector<Call> actions() const;
  bool logged_out() const { return logged_out_; }

 private:
  nlohmann::json standard_call(const std::string& method, const nlohmann::json& params);

  std::map<std::string, std::map<std::string, nlohmann::json>> objects_;  // class -> ref -> record
  std::map<std::string, std::vector<std::string>> failures_;
  std::map<std::string, bool> transport_failures_;
  std::map<std::string, nlohmann::json> answers_;
  std::map<std::string, std::deque<nlohmann::json>> answers_in_turn_;
  std::vector<Call> calls_;
  bool logged_in_ = false;
  bool logged_out_ = false;
};

}  // namespace poolha::xe::testing
