#include "vm/sim_vm_driver.h"

#include <utility>

namespace poolha::vm {

SimVmDriver::SimVmDriver(std::uint16_t host, std::uint64_t memory_capacity, Scheduler& scheduler,
                         RunLedger& ledger, SimVmTiming timing)
    : host_(host),
      capacity_(memory_capacity),
      scheduler_(scheduler),
      ledger_(ledger),
      timing_(timing) {}

void SimVmDriver::start(const VmConfig& vm, Done done) {
  if (domains_.contains(vm.uuid)) {
    complete_soon(std::move(done),
                  VmResult{false, "VM_BAD_POWER_STATE: already running on this host"});
    return;
  }
  if (memory_in_use() + vm.memory > capacity_) {
    complete_soon(std::move(done), VmResult{false, "HOST_NOT_ENOUGH_FREE_MEMORY"});
    return;
  }
  if (failing_starts_ > 0) {
    --failing_starts_;
    complete_soon(std::move(done), VmResult{false, "VM_START_FAILED: injected failure"});
    return;
  }
  // The domain exists from now on, booting: it counts as running.
  domains_[vm.uuid] = Domain{vm.memory, false};
  ledger_.on_start(vm.uuid, host_, scheduler_.now_us());
  const std::uint64_t cycle = power_cycle_;
  scheduler_.after(timing_.boot, [this, cycle, uuid = vm.uuid, done = std::move(done)] {
    if (cycle != power_cycle_) return;
    const auto it = domains_.find(uuid);
    const bool alive = it != domains_.end() && !it->second.stopping;
    done(alive ? VmResult{true, {}} : VmResult{false, "VM_START_FAILED: halted while booting"});
  });
}

void SimVmDriver::complete_soon(Done done, VmResult result) {
  const std::uint64_t cycle = power_cycle_;
  scheduler_.after(0us, [this, cycle, done = std::move(done), result = std::move(result)] {
    if (cycle == power_cycle_) done(result);
  });
}

void SimVmDriver::stop(const std::string& uuid, Done done) {
  auto it = domains_.find(uuid);
  if (it == domains_.end() || it->second.stopping) {
    complete_soon(std::move(done), VmResult{false, "VM_BAD_POWER_STATE: not running"});
    return;
  }
  it->second.stopping = true;
  const std::uint64_t cycle = power_cycle_;
  scheduler_.after(timing_.stop, [this, cycle, uuid, done = std::move(done)] {
    if (cycle != power_cycle_) return;
    destroy(uuid);
    done(VmResult{true, {}});
  });
}

std::vector<std::string> SimVmDriver::running() const {
  std::vector<std::string> out;
  out.reserve(domains_.size());
  for (const auto& [uuid, domain] : domains_) out.push_back(uuid);
  return out;
}

bool SimVmDriver::guest_halt(const std::string& uuid, HaltCause cause) {
  auto it = domains_.find(uuid);
  if (it == domains_.end() || it->second.stopping) return false;
  destroy(uuid);
  if (listener_) listener_(uuid, cause);
  return true;
}

void SimVmDriver::host_stopped() {
  ++power_cycle_;
  while (!domains_.empty()) destroy(domains_.begin()->first);
  failing_starts_ = 0;
}

std::uint64_t SimVmDriver::memory_in_use() const {
  std::uint64_t total = 0;
  for (const auto& [uuid, domain] : domains_) total += domain.memory;
  return total;
}

void SimVmDriver::destroy(std::string uuid) {
  // By value: callers pass keys of domains_, which erase() invalidates.
  if (domains_.erase(uuid) == 0) return;
  ledger_.on_stop(uuid, host_, scheduler_.now_us());
}

}  // namespace poolha::vm
