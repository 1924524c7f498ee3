// A simulated hypervisor: domains boot for a while, need memory, can be made
// to fail, can halt from inside the guest, and all vanish at once when the
// host loses power or fences. Every domain is recorded in the shared ledger.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "vm/run_ledger.h"
#include "vm/scheduler.h"
#include "vm/vm_driver.h"

namespace poolha::vm {

struct SimVmTiming {
  Duration boot = 10s;  // from start to "running"
  Duration stop = 1s;   // from stop to the domain being gone
};

class SimVmDriver final : public VmDriver {
 public:
  SimVmDriver(std::uint16_t host, std::uint64_t memory_capacity, Scheduler& scheduler,
              RunLedger& ledger, SimVmTiming timing = {});

  void start(const VmConfig& vm, Done done) override;
  void stop(const std::string& uuid, Done done) override;
  std::vector<std::string> running() const override;
  void set_halt_listener(HaltListener listener) override { listener_ = std::move(listener); }

  // Fault injection.
  void fail_next_starts(std::uint32_t count) { failing_starts_ += count; }
  // The guest halts by itself; false when the VM does not run here.
  bool guest_halt(const std::string& uuid, HaltCause cause);
  // Power loss or fence: every domain is gone now; pending completions never run.
  void host_stopped();

  std::uint64_t memory_in_use() const;
  std::uint64_t memory_capacity() const { return capacity_; }

 private:
  struct Domain {
    std::uint64_t memory = 0;
    bool stopping = false;
  };

  void destroy(std::string uuid);
  // Completions never run inside the call that asked for them.
  void complete_soon(Done done, VmResult result);

  std::uint16_t host_;
  std::uint64_t capacity_;
  Scheduler& scheduler_;
  RunLedger& ledger_;
  SimVmTiming timing_;
  HaltListener listener_;
  std::map<std::string, Domain> domains_;
  std::uint32_t failing_starts_ = 0;
  std::uint64_t power_cycle_ = 0;  // completions of an earlier power cycle are dropped
};

}  // namespace poolha::vm
