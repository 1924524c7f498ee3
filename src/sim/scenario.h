// The scenario model: what a .scn file (scenarios/README.md) or the random
// fault generator describes. Pure data; ScenarioRunner plays it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/host_set.h"
#include "common/time.h"
#include "ha/timing.h"
#include "sim/network.h"
#include "sim/storage.h"
#include "sim/virtual_time.h"
#include "wire/view.h"

namespace poolha::sim {

// A host operand: a fixed host, or whichever host is master when the
// command runs (`master`).
struct HostRef {
  static constexpr HostIndex kMaster = kNoHost;
  HostIndex host = 0;
  bool is_master() const { return host == kMaster; }
  bool operator==(const HostRef&) const = default;
};

enum class IsolationSetting {
  kAuto,         // reachable while the host's NIC and the switch are up
  kReachable,    // forced reachable (the isolation address is elsewhere)
  kUnreachable,  // forced unreachable
};

enum class VmPriority { kRestart, kBestEffort, kUnprotected };

struct VmSpec {
  std::string name;
  HostIndex host = 0;
  std::uint64_t memory_mib = 1024;
  VmPriority priority = VmPriority::kRestart;
  std::uint32_t order = 0;
  Duration start_delay{};
  int line = 0;
};

enum class ExpectKind {
  kLiveset,        // every running member announces exactly `hosts_set`
  kMaster,         // hosts[0] is master and no other running host is
  kNoMaster,       // no running host is master
  kFenced,         // hosts were each fenced at least once so far (reason contains `text`)
  kNotFenced,      // hosts were never fenced so far
  kNoFence,        // no host was fenced so far
  kNotAllFenced,   // at least one host was never fenced so far
  kRunning,        // hosts are powered and not hung
  kDown,           // hosts are off or fenced
  kPhase,          // hosts[0]'s engine is in `phase` (or off, when `phase_off`)
  kAlert,          // alert `text` was raised (by hosts[0] when given)
  kNoAlert,        // alert `text` was never raised
  kRejoined,       // hosts[0] was removed, then re-admitted, after every peer removed it
  kVmRunning,      // VM `text` runs (on hosts[0] when given)
  kVmHalted,       // VM `text` is not running anywhere
  kApiRefused,     // an operator action through the API was refused with code `text`
  kPlanExistsFor,  // the master's failover plan covers `number` host failures
};

struct Expectation {
  ExpectKind kind = ExpectKind::kNoFence;
  std::vector<HostIndex> hosts;
  HostSet hosts_set;
  std::string text;
  wire::Phase phase = wire::Phase::kBooting;
  bool phase_off = false;
  std::uint64_t number = 0;
};

enum class ActionKind {
  // Operator commands to a host's engine.
  kEnable,
  kDisable,
  kLeave,
  kHandover,  // hosts[0] hands the master role to hosts[1]
  kDisarm,
  kEmergencyDisable,
  // Power and process.
  kPowerOff,
  kPowerOn,
  kReboot,  // power off, power on after `duration`
  kHang,    // stop the daemon for `duration` (SIGSTOP-like)
  // Management network.
  kNicDown,
  kNicUp,
  kLinkCut,      // both directions between hosts[0] and hosts[1]
  kLinkRestore,  // both directions
  kLinkDown,     // hosts[0] -> hosts[1] only
  kLinkUp,       // hosts[0] -> hosts[1] only
  kLinkSet,      // hosts[0] -> hosts[1]: the given link properties
  kSwitchFail,
  kSwitchRestore,
  kLoss,  // `ppm` loss on every link
  kFlap,  // hosts[0]'s NIC (or the hosts[0]-hosts[1] pair) down for `down_for` every `period` until
          // `until`
  // Heartbeat SR.
  kStorageDown,
  kStorageUp,
  kStoragePause,  // paused; resumes by itself after `duration` when non-zero
  kStorageError,
  kTornWrite,
  kStorageLatency,  // `duration` latency, `jitter`
  // Environment.
  kIsolation,
  kClockJump,   // wall clock += `duration` (signed); engines never see it
  kClockDrift,  // local monotonic clock rate offset `drift_ppm`
  kHeal,        // undo every fault: network, storage, isolation, power, hangs
  kSettle,      // faults are over: check that survivors agree (invariant c)
  // VMs and the pool.
  kVmStart,
  kVmShutdown,  // through the API: stays down
  kVmHalt,      // from inside the guest
  kVmCrash,
  kVmFailStarts,   // hosts[0]'s next `number` VM starts fail
  kVmSetPriority,  // through the API: `vm` gets `priority`
  kPoolSetTarget,  // through the API: ha-host-failures-to-tolerate = `number`
  // Assertions.
  kExpect,
};

struct Action {
  ActionKind kind = ActionKind::kSettle;
  std::vector<HostRef> hosts;  // `all` is expanded by the parser
  Duration duration{};
  Duration jitter{};
  Duration period{};
  Duration down_for{};
  std::optional<VirtualTime> until;
  std::uint32_t ppm = 0;
  std::int32_t drift_ppm = 0;
  IsolationSetting isolation = IsolationSetting::kAuto;
  std::string vm;
  std::uint64_t number = 0;
  VmPriority priority = VmPriority::kRestart;
  Expectation expect;
  // kLinkSet: the properties it changes.
  std::optional<Duration> link_delay, link_jitter;
  std::optional<std::uint32_t> link_loss_ppm;
};

struct TimedAction {
  VirtualTime at{};
  int line = 0;  // source line; 0 for generated schedules
  Action action;
};

struct HostDecl {
  bool powered_on = true;
  std::optional<Duration> clock;  // local monotonic reading at power-on at t=0
  std::int32_t drift_ppm = 0;
  std::uint32_t weight = 1;
  std::optional<StorageLatency> storage;
  std::optional<std::uint64_t> memory_mib;  // memory for VMs; default 65536
};

// The pool database settings and VM timing of a scenario with VMs.
struct PoolDecl {
  bool declared = false;  // a `pool` line: simulate the VM layer even without VMs
  bool restart_on_internal_shutdown = true;
  std::uint32_t failures_to_tolerate = 0;
  bool allow_overcommit = false;
  Duration vm_boot = 10s;
};

struct WholeRunExpectation {
  int line = 0;
  Expectation expect;
};

struct Scenario {
  std::string name;  // file name or "random seed N"
  std::uint16_t hosts = 0;
  Duration timeout = 60s;
  ha::TimingOverrides overrides;
  std::optional<Duration> reboot_after_fence = 60s;  // nullopt: never
  std::uint64_t seed = 1;
  std::optional<Duration> duration;  // default: last action + 2 T
  std::vector<HostDecl> host_decls;  // one per host
  LinkProperties network;            // every link's initial properties
  StorageLatency storage;            // every host's initial storage latency
  std::vector<VmSpec> vms;
  PoolDecl pool;
  std::vector<TimedAction> actions;  // sorted by time, stable by source order
  std::vector<WholeRunExpectation> whole_run;

  bool uses_vms() const;
  VirtualTime end_time() const;
};

}  // namespace poolha::sim
