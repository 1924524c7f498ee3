// Random fault sweeps: many seeds, in parallel, each an independent run of a
// generated scenario. Results are indexed by seed, so they never depend on
// the number of threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/time.h"
#include "sim/simulator.h"

namespace poolha::sim {

struct SweepOptions {
  std::uint64_t first_seed = 1;
  std::uint64_t last_seed = 100;
  std::uint16_t hosts = 3;
  Duration timeout = 30s;
  std::uint32_t vms = 0;  // VMs per random scenario (0: membership only)
  unsigned jobs = 1;
  bool stop_on_violation = false;
};

struct SeedResult {
  std::uint64_t seed = 0;
  bool ran = false;
  bool passed = false;
  std::optional<std::string> error;
  std::vector<Violation> violations;
  std::size_t fences = 0;
  Duration simulated{};
  double wall_seconds = 0;
  std::uint64_t events = 0;
};

struct SweepResult {
  std::vector<SeedResult> seeds;  // in seed order
  double wall_seconds = 0;

  std::size_t failed() const;
  std::size_t violations() const;
  std::size_t fences() const;
  Duration simulated() const;
  double slowest_seed_seconds() const;
};

SweepResult run_sweep(const SweepOptions& options);

// The command that replays one seed with its full timeline.
std::string replay_command(std::uint64_t seed, std::uint16_t hosts, Duration timeout,
                           std::uint32_t vms = 0);

// An engine invariant check aborts the whole process. After this call, an
// abort while a seed runs prints that seed's replay command first.
void report_aborted_seeds(std::uint16_t hosts, Duration timeout, std::uint32_t vms = 0);

// Marks the seed this thread is running, for report_aborted_seeds.
class SeedInProgress {
 public:
  explicit SeedInProgress(std::uint64_t seed);
  ~SeedInProgress();
  SeedInProgress(const SeedInProgress&) = delete;
  SeedInProgress& operator=(const SeedInProgress&) = delete;
};

}  // namespace poolha::sim
