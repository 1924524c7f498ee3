#include "daemon/peer_message.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <set>
#include <stdexcept>

#include "wire/hmac.h"

namespace poolha::daemon {
namespace {

using nlohmann::json;
using namespace failover;

class DecodeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads the fields of one JSON object, refusing unknown ones at the end.
class Fields {
 public:
  Fields(const json& object, std::string what) : object_(object), what_(std::move(what)) {
    if (!object_.is_object()) throw DecodeError(what_ + ": not an object");
  }

  const json& at(const std::string& key) {
    used_.insert(key);
    const auto it = object_.find(key);
    if (it == object_.end()) throw DecodeError(what_ + "." + key + ": missing");
    return *it;
  }

  std::uint64_t u64(const std::string& key) {
    const json& value = at(key);
    if (!value.is_number_unsigned()) throw DecodeError(what_ + "." + key + ": not an unsigned");
    return value.get<std::uint64_t>();
  }

  std::uint32_t u32(const std::string& key) {
    const std::uint64_t value = u64(key);
    if (value > UINT32_MAX) throw DecodeError(what_ + "." + key + ": out of range");
    return static_cast<std::uint32_t>(value);
  }

  HostIndex host(const std::string& key) {
    const std::uint64_t value = u64(key);
    if (value >= kMaxHosts) throw DecodeError(what_ + "." + key + ": not a host index");
    return static_cast<HostIndex>(value);
  }

  std::string text(const std::string& key) {
    const json& value = at(key);
    if (!value.is_string()) throw DecodeError(what_ + "." + key + ": not a string");
    return value.get<std::string>();
  }

  bool flag(const std::string& key) {
    const json& value = at(key);
    if (!value.is_boolean()) throw DecodeError(what_ + "." + key + ": not a boolean");
    return value.get<bool>();
  }

  void finish() const {
    for (const auto& [key, value] : object_.items()) {
      if (!used_.contains(key)) throw DecodeError(what_ + "." + key + ": unknown field");
    }
  }

 private:
  const json& object_;
  std::string what_;
  std::set<std::string> used_;
};

const char* kind_name(VmCommand::Kind kind) {
  return kind == VmCommand::Kind::kStart ? "start" : "stop";
}

const char* cause_name(vm::HaltCause cause) {
  return cause == vm::HaltCause::kGuestShutdown ? "guest_shutdown" : "guest_crash";
}

json to_json(const VmCommand& c) {
  return {{"type", "vm_command"},
          {"kind", kind_name(c.kind)},
          {"epoch", c.epoch},
          {"master", c.master},
          {"id", c.id},
          {"vm", {{"uuid", c.vm.uuid}, {"name", c.vm.name}, {"memory", c.vm.memory}}}};
}

json to_json(const VmCommandResult& r) {
  return {{"type", "vm_command_result"},
          {"epoch", r.epoch},
          {"host", r.host},
          {"id", r.id},
          {"vm", r.vm},
          {"ok", r.ok},
          {"error", r.error},
          {"report_sequence", r.report_sequence}};
}

json to_json(const HostReport& r) {
  json halts = json::array();
  for (const VmHalt& h : r.halts) halts.push_back({{"vm", h.vm}, {"cause", cause_name(h.cause)}});
  return {{"type", "host_report"},  {"epoch", r.epoch},
          {"host", r.host},         {"incarnation", r.incarnation},
          {"sequence", r.sequence}, {"running", r.running},
          {"halts", halts}};
}

json to_json(const ReportAck& a) {
  return {
      {"type", "report_ack"}, {"epoch", a.epoch}, {"master", a.master}, {"sequence", a.sequence}};
}

VmCommand command_from(Fields& f) {
  VmCommand c;
  const std::string kind = f.text("kind");
  if (kind == "start") {
    c.kind = VmCommand::Kind::kStart;
  } else if (kind == "stop") {
    c.kind = VmCommand::Kind::kStop;
  } else {
    throw DecodeError("vm_command.kind: '" + kind + "' is neither start nor stop");
  }
  c.epoch = f.u64("epoch");
  c.master = f.host("master");
  c.id = f.u64("id");
  Fields vm(f.at("vm"), "vm_command.vm");
  c.vm.uuid = vm.text("uuid");
  c.vm.name = vm.text("name");
  c.vm.memory = vm.u64("memory");
  vm.finish();
  if (c.vm.uuid.empty()) throw DecodeError("vm_command.vm.uuid: empty");
  return c;
}

VmCommandResult result_from(Fields& f) {
  VmCommandResult r;
  r.epoch = f.u64("epoch");
  r.host = f.host("host");
  r.id = f.u64("id");
  r.vm = f.text("vm");
  r.ok = f.flag("ok");
  r.error = f.text("error");
  r.report_sequence = f.u64("report_sequence");
  return r;
}

HostReport report_from(Fields& f) {
  HostReport r;
  r.epoch = f.u64("epoch");
  r.host = f.host("host");
  r.incarnation = f.u32("incarnation");
  r.sequence = f.u64("sequence");
  const json& running = f.at("running");
  if (!running.is_array()) throw DecodeError("host_report.running: not an array");
  for (const json& vm : running) {
    if (!vm.is_string()) throw DecodeError("host_report.running: not a string");
    r.running.push_back(vm.get<std::string>());
  }
  if (!std::is_sorted(r.running.begin(), r.running.end())) {
    throw DecodeError("host_report.running: not sorted");
  }
  const json& halts = f.at("halts");
  if (!halts.is_array()) throw DecodeError("host_report.halts: not an array");
  for (const json& item : halts) {
    Fields halt(item, "host_report.halts[]");
    VmHalt h;
    h.vm = halt.text("vm");
    const std::string cause = halt.text("cause");
    if (cause == "guest_shutdown") {
      h.cause = vm::HaltCause::kGuestShutdown;
    } else if (cause == "guest_crash") {
      h.cause = vm::HaltCause::kGuestCrash;
    } else {
      throw DecodeError("host_report.halts[].cause: '" + cause + "' is unknown");
    }
    halt.finish();
    r.halts.push_back(std::move(h));
  }
  return r;
}

ReportAck ack_from(Fields& f) {
  ReportAck a;
  a.epoch = f.u64("epoch");
  a.master = f.host("master");
  a.sequence = f.u64("sequence");
  return a;
}

std::string hex(std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (std::uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0xF]);
  }
  return out;
}

std::span<const std::uint8_t> bytes_of(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

}  // namespace

std::string encode_peer_message(const PeerMessage& message) {
  return std::visit([](const auto& m) { return to_json(m).dump(); }, message);
}

std::optional<PeerMessage> decode_peer_message(std::string_view body, std::string* error) {
  try {
    const json document = json::parse(body);
    Fields f(document, "message");
    const std::string type = f.text("type");
    PeerMessage message;
    if (type == "vm_command") {
      message = command_from(f);
    } else if (type == "vm_command_result") {
      message = result_from(f);
    } else if (type == "host_report") {
      message = report_from(f);
    } else if (type == "report_ack") {
      message = ack_from(f);
    } else {
      throw DecodeError("message.type: '" + type + "' is unknown");
    }
    f.finish();
    return message;
  } catch (const json::exception& e) {
    if (error) *error = std::string("not JSON: ") + e.what();
  } catch (const DecodeError& e) {
    if (error) *error = e.what();
  }
  return std::nullopt;
}

std::string sign_peer_message(std::span<const std::uint8_t> secret, std::string_view body) {
  const wire::Mac mac = wire::hmac_sha256(secret, bytes_of(body));
  return hex(mac);
}

bool verify_peer_message(std::span<const std::uint8_t> secret, std::string_view body,
                         std::string_view signature) {
  const std::string expected = sign_peer_message(secret, body);
  if (signature.size() != expected.size()) return false;
  return wire::mac_equal(bytes_of(expected), bytes_of(signature));
}

}  // namespace poolha::daemon
