// Carries out a scheduled fault on a running local pool: applies it at
// once, and plans the steps that follow in real time (the undo after the
// fault's duration; for a flapping link, every cut and restore in between).
// The run calls run_due() often; one fault is active at a time.
//
// While a fault lasts the injector also says which hosts it cut off from
// the outside (their API does not answer, so the observer leaves them out)
// and which host it holds powered off (nobody else may boot it).
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "chaos/chaos_schedule.h"
#include "chaos/wall_clock_jump.h"
#include "localpool/local_pool.h"

namespace poolha::chaos {

class FaultInjector {
 public:
  using Clock = std::chrono::steady_clock;

  FaultInjector(localpool::LocalPool& pool, WallClockJumps& clock);
  ~FaultInjector();
  FaultInjector(const FaultInjector&) = delete;
  FaultInjector& operator=(const FaultInjector&) = delete;

  // Applies `fault` (the previous one must be over) and returns what was
  // done, one line each. Throws what the pool throws when a fault cannot be
  // applied at all (nft or the NBD server failing).
  std::vector<std::string> inject(const ScheduledFault& fault, Clock::time_point now);
  // Runs every planned step due by `now`; returns what each did.
  std::vector<std::string> run_due(Clock::time_point now);
  // Whether a fault is still in force (its undo has not run).
  bool active() const { return !steps_.empty(); }

  bool cuts_off(std::size_t host) const { return cut_off_.at(host); }
  bool holds_down(std::size_t host) const { return held_down_.at(host); }

  // Takes back whatever is still in force, now; errors are printed to
  // stderr, not thrown, since this runs on the way out of a failed run.
  void undo_now();

 private:
  struct Step {
    Clock::time_point at;
    std::function<std::string()> action;
  };
  void plan(Clock::time_point at, std::function<std::string()> action);
  void plan_undo(Clock::time_point at, std::function<std::string()> undo);
  void cut_off(std::size_t host) { cut_off_.at(host) = true; }

  localpool::LocalPool& pool_;
  WallClockJumps& clock_;
  std::deque<Step> steps_;  // by time; the last one is the undo
  std::function<std::string()> undo_;
  std::vector<bool> cut_off_;
  std::vector<bool> held_down_;
};

}  // namespace poolha::chaos
