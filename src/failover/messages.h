// What the master and the hosts' agents tell each other about VMs. Every
// message carries the liveset epoch its sender acts on: a host executes a
// command only from the master of the liveset it announces itself, so a
// command an old master sent can never run after a newer master took over.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/host_set.h"
#include "vm/vm_driver.h"

namespace poolha::failover {

// The error prefix of a command refused because its sender is not the master
// of the liveset the host acts on. The command did not run; it is not a failure.
inline constexpr std::string_view kStaleLiveset = "HA_STALE_LIVESET";

struct VmCommand {
  enum class Kind : std::uint8_t { kStart, kStop };
  Kind kind = Kind::kStart;
  std::uint64_t epoch = 0;  // the master's announced liveset
  HostIndex master = kNoHost;
  std::uint64_t id = 0;  // unique per master incarnation
  vm::VmConfig vm;
};

struct VmCommandResult {
  std::uint64_t epoch = 0;  // the host's announced liveset when it answered
  HostIndex host = kNoHost;
  std::uint64_t id = 0;
  std::string vm;
  bool ok = false;
  std::string error;
  // The sequence of the last report the host made before this answer: a
  // report up to it may arrive late but is older than the answer.
  std::uint64_t report_sequence = 0;
};

struct VmHalt {
  std::string vm;
  vm::HaltCause cause = vm::HaltCause::kGuestShutdown;
};

// A host's VMs as its hypervisor sees them. Sent periodically and at once
// after a change; the newest (by sequence) wins.
struct HostReport {
  std::uint64_t epoch = 0;
  HostIndex host = kNoHost;
  std::uint32_t incarnation = 0;
  std::uint64_t sequence = 0;
  std::vector<std::string> running;  // sorted; includes VMs whose start is under way
  std::vector<VmHalt> halts;         // halts not yet acknowledged by this master
};

// The master acknowledges halts it has recorded so the host stops repeating them.
struct ReportAck {
  std::uint64_t epoch = 0;
  HostIndex master = kNoHost;
  std::uint64_t sequence = 0;  // halts reported up to this report are recorded
};

}  // namespace poolha::failover
