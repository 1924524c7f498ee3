// Watches a chaos pool from outside, through every host's API, and turns
// what it sees into timeline lines: the hosts' views of the liveset and the
// master whenever they change, and each protected VM's moves, with the
// seconds since the fault that caused them. Hosts are asked in parallel
// with short timeouts, so one slow host delays a poll by seconds at most.
#pragma once

#include <cstddef>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "chaos/pool_views.h"
#include "localpool/local_pool.h"

namespace poolha::chaos {

class PoolObserver {
 public:
  explicit PoolObserver(localpool::LocalPool& pool);
  ~PoolObserver();
  PoolObserver(const PoolObserver&) = delete;
  PoolObserver& operator=(const PoolObserver&) = delete;

  // Starts asking every host with ask[i] true, in the background; the
  // others count as not answering. Does nothing while a poll is under way.
  void start_poll(const std::vector<bool>& ask);
  bool polling() const { return !pending_.empty(); }
  // Once every host asked has answered or given up: one answer per host, in
  // host order. nullopt while some are still being asked (never blocks).
  std::optional<std::vector<HostAnswer>> collect();

  // What changed since the last call. `since_fault` is the seconds since
  // the current fault was injected (VM restarts are timed from it), or
  // nullopt before the first fault.
  std::vector<std::string> changes(const std::vector<HostAnswer>& answers,
                                   std::optional<double> since_fault);

 private:
  localpool::LocalPool& pool_;
  std::vector<std::unique_ptr<localpool::ApiSession>> sessions_;  // one per host
  // One per host while a poll is under way (invalid: not asked).
  std::vector<std::future<std::optional<localpool::PoolSnapshot>>> pending_;
  std::string last_views_;
  struct VmSeen {
    std::string power_state;
    std::string resident_on;
  };
  std::map<std::string, VmSeen> vms_;  // by uuid, as the reference host last showed them
};

}  // namespace poolha::chaos
