#include "chaos/fault_injector.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <system_error>
#include <utility>

#include "chaos/packet_filters.h"

namespace poolha::chaos {
namespace {

// Each host's management interface inside its namespace (localpool's
// NamespaceNetwork names it so).
constexpr const char* kManagementInterface = "eth0";

}  // namespace

FaultInjector::FaultInjector(localpool::LocalPool& pool, WallClockJumps& clock)
    : pool_(pool),
      clock_(clock),
      cut_off_(pool.host_count(), false),
      held_down_(pool.host_count(), false) {}

FaultInjector::~FaultInjector() {
  undo_now();
}

void FaultInjector::plan(Clock::time_point at, std::function<std::string()> action) {
  steps_.push_back(Step{at, std::move(action)});
}

void FaultInjector::plan_undo(Clock::time_point at, std::function<std::string()> undo) {
  undo_ = std::move(undo);
  plan(at, [this] {
    // The fault counts as over even when its undo fails: the run reports
    // the failure, and what is left broken shows as a pool that does not
    // settle.
    const std::function<std::string()> pending = std::move(undo_);
    undo_ = nullptr;
    std::fill(cut_off_.begin(), cut_off_.end(), false);
    std::fill(held_down_.begin(), held_down_.end(), false);
    return pending();
  });
}

std::vector<std::string> FaultInjector::inject(const ScheduledFault& fault, Clock::time_point now) {
  if (active()) throw std::logic_error("a chaos fault was injected while another one is active");
  localpool::LocalPool& pool = pool_;
  const std::size_t h = fault.host;
  const std::string name = pool.host(h).name;
  const std::string& netns = pool.host(h).network_namespace;
  const Clock::time_point end = now + fault.duration;
  std::vector<std::string> done;
  switch (fault.kind) {
    case FaultKind::kPowerLoss: {
      const std::size_t vms = pool.kill_host(h);
      held_down_.at(h) = true;
      done.push_back(fmt::format("{} lost power: daemon, fencer and {} VM process group(s) killed",
                                 name, vms));
      plan_undo(end, [&pool, h, name] {
        if (pool.host_running(h)) return name + " is running already";
        pool.start_host(h);
        return name + " powered on (booting)";
      });
      break;
    }
    case FaultKind::kDaemonHang: {
      const bool paused = pool.pause_daemon(h);
      if (paused) cut_off(h);
      done.push_back(paused ? name + " daemon stopped (SIGSTOP); its fencer and VMs run on"
                            : name + " runs no daemon: nothing to hang");
      plan_undo(end, [&pool, h, name] {
        return pool.resume_daemon(h) ? name + " daemon continues (SIGCONT)"
                                     : name +
                                           " daemon is gone (fenced or rebooted): nothing to "
                                           "continue";
      });
      break;
    }
    case FaultKind::kManagementCut: {
      pool.cut_management(h);
      cut_off(h);
      done.push_back(name + " management link cut");
      plan_undo(end, [&pool, h, name] {
        pool.restore_management(h);
        return name + " management link restored";
      });
      break;
    }
    case FaultKind::kSwitchCut: {
      // The undo is planned first: if cutting one host's link fails, the
      // links already cut are restored with it.
      plan_undo(end, [&pool] {
        for (std::size_t i = 0; i < pool.host_count(); ++i) pool.restore_management(i);
        return std::string("management switch back: every link restored");
      });
      for (std::size_t i = 0; i < pool.host_count(); ++i) {
        pool.cut_management(i);
        cut_off(i);
      }
      done.push_back("every host's management link cut");
      break;
    }
    case FaultKind::kStorageCut: {
      pool.cut_storage(h);
      done.push_back(name + " storage path cut");
      plan_undo(end, [&pool, h, name] {
        pool.restore_storage(h);
        return name + " storage path restored";
      });
      break;
    }
    case FaultKind::kAsymmetricDrop: {
      const std::string peer = pool.host(fault.peer).name;
      drop_packets_from(netns, pool.host(fault.peer).address);
      done.push_back(fmt::format("{} drops packets from {} ({}); {} still hears {}", name, peer,
                                 pool.host(fault.peer).address, peer, name));
      plan_undo(end, [netns, name, peer] {
        stop_dropping_packets_from(netns);
        return name + " takes packets from " + peer + " again";
      });
      break;
    }
    case FaultKind::kPacketLoss: {
      add_packet_loss(netns, kManagementInterface, fault.loss_percent);
      done.push_back(
          fmt::format("{} drops {} % of its management packets", name, fault.loss_percent));
      plan_undo(end, [netns, name] {
        remove_packet_loss(netns);
        return name + " management link loses no more packets";
      });
      break;
    }
    case FaultKind::kLinkFlap: {
      pool.cut_management(h);
      cut_off(h);
      done.push_back(name + " management link down (flapping)");
      // Every cycle: restore after flap_down, cut again at the next period,
      // while the cycle starts before the end.
      for (Clock::time_point cycle = now; cycle < end; cycle += fault.flap_period) {
        if (cycle > now) {
          plan(cycle, [&pool, h] {
            pool.cut_management(h);
            return std::string();
          });
        }
        if (cycle + fault.flap_down < end) {
          plan(cycle + fault.flap_down, [&pool, h] {
            pool.restore_management(h);
            return std::string();
          });
        }
      }
      plan_undo(end, [&pool, h, name] {
        pool.restore_management(h);
        return name + " management link stops flapping (restored)";
      });
      break;
    }
    case FaultKind::kClockJump: {
      WallClockJumps& clock = clock_;
      clock.jump(fault.clock_offset);
      done.push_back(
          fmt::format("wall clock moved {:+d} s (machine-wide)", fault.clock_offset.count()));
      plan_undo(end, [&clock] {
        const auto offset = clock.offset();
        clock.restore();
        return fmt::format("wall clock moved back {:+d} s", -offset.count());
      });
      break;
    }
    case FaultKind::kNbdRestart: {
      pool.stop_storage_server();
      done.push_back("NBD server killed: every host's storage connections break");
      plan_undo(end, [&pool] {
        if (pool.storage_server_running()) return std::string("NBD server is running already");
        pool.start_storage_server();
        return std::string("NBD server started again");
      });
      break;
    }
  }
  return done;
}

std::vector<std::string> FaultInjector::run_due(Clock::time_point now) {
  std::vector<std::string> done;
  while (!steps_.empty() && steps_.front().at <= now) {
    // Taken off first: a step that throws must not run again.
    const std::function<std::string()> action = std::move(steps_.front().action);
    steps_.pop_front();
    try {
      std::string line = action();
      if (!line.empty()) done.push_back(std::move(line));
    } catch (const std::exception& error) {
      done.push_back(std::string("FAILED: ") + error.what());
    }
  }
  return done;
}

void FaultInjector::undo_now() {
  steps_.clear();
  if (!undo_) return;
  try {
    undo_();
  } catch (const std::exception& error) {
    std::fprintf(stderr, "chaos: cannot undo the last fault: %s\n", error.what());
  }
  undo_ = nullptr;
  std::fill(cut_off_.begin(), cut_off_.end(), false);
  std::fill(held_down_.begin(), held_down_.end(), false);
}

}  // namespace poolha::chaos
