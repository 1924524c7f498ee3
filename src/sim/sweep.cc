#include "sim/sweep.h"

#include <fmt/format.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstring>
#include <thread>

#include "sim/duration_text.h"
#include "sim/random_schedule.h"
#include "sim/scenario_runner.h"

namespace poolha::sim {

namespace {

thread_local std::uint64_t t_running_seed = 0;
thread_local bool t_seed_running = false;
// Everything the signal handler prints, prepared before any signal can come.
char g_abort_prefix[128];
char g_abort_suffix[128];

void write_all(const char* text, std::size_t length) {
  while (length > 0) {
    const ssize_t n = ::write(STDERR_FILENO, text, length);
    if (n <= 0) return;
    text += n;
    length -= static_cast<std::size_t>(n);
  }
}

void on_abort(int) {
  if (!t_seed_running) return;
  char digits[24];
  std::size_t n = 0;
  std::uint64_t v = t_running_seed;
  do {
    digits[sizeof(digits) - 1 - n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0 && n < sizeof(digits));
  const char* seed = digits + sizeof(digits) - n;
  write_all(g_abort_prefix, std::strlen(g_abort_prefix));
  write_all(seed, n);
  write_all("..", 2);
  write_all(seed, n);
  write_all(g_abort_suffix, std::strlen(g_abort_suffix));
}

}  // namespace

SeedInProgress::SeedInProgress(std::uint64_t seed) {
  t_running_seed = seed;
  t_seed_running = true;
}

SeedInProgress::~SeedInProgress() {
  t_seed_running = false;
}

void report_aborted_seeds(std::uint16_t hosts, Duration timeout, std::uint32_t vms) {
  const std::string command = replay_command(0, hosts, timeout, vms);
  const std::string after_seeds = command.substr(command.find(" --hosts"));
  auto start = fmt::format_to_n(g_abort_prefix, sizeof(g_abort_prefix) - 1,
                                "poolha sim: aborted in a random seed; replay: poolha sim "
                                "--random --seeds ");
  *start.out = '\0';
  auto end = fmt::format_to_n(g_abort_suffix, sizeof(g_abort_suffix) - 2, "{}\n", after_seeds);
  *end.out = '\0';
  std::signal(SIGABRT, on_abort);
}

std::size_t SweepResult::failed() const {
  return static_cast<std::size_t>(
      std::count_if(seeds.begin(), seeds.end(), [](const SeedResult& s) { return !s.passed; }));
}

std::size_t SweepResult::violations() const {
  std::size_t n = 0;
  for (const SeedResult& s : seeds) n += s.violations.size();
  return n;
}

std::size_t SweepResult::fences() const {
  std::size_t n = 0;
  for (const SeedResult& s : seeds) n += s.fences;
  return n;
}

Duration SweepResult::simulated() const {
  Duration d{};
  for (const SeedResult& s : seeds) d += s.simulated;
  return d;
}

double SweepResult::slowest_seed_seconds() const {
  double slowest = 0;
  for (const SeedResult& s : seeds) slowest = std::max(slowest, s.wall_seconds);
  return slowest;
}

SweepResult run_sweep(const SweepOptions& options) {
  SweepResult result;
  if (options.last_seed < options.first_seed) return result;
  const std::uint64_t count = options.last_seed - options.first_seed + 1;
  result.seeds.resize(count);
  std::atomic<std::uint64_t> next{0};
  std::atomic<bool> stop{false};

  auto worker = [&] {
    for (std::uint64_t i = next++; i < count && !stop; i = next++) {
      const std::uint64_t seed = options.first_seed + i;
      const SeedInProgress marker(seed);
      const Scenario scenario =
          make_random_scenario({seed, options.hosts, options.timeout, options.vms});
      RunOptions run;
      run.stop_on_violation = options.stop_on_violation;
      RunReport report = run_scenario(scenario, run);
      SeedResult& r = result.seeds[i];
      r.seed = seed;
      r.ran = true;
      r.passed = report.passed();
      r.error = std::move(report.error);
      r.violations = std::move(report.violations);
      r.fences = report.fences;
      r.simulated = report.simulated;
      r.wall_seconds = report.wall_seconds;
      r.events = report.counters.events;
      if (!r.passed && options.stop_on_violation) stop = true;
    }
  };

  const auto start = std::chrono::steady_clock::now();
  const unsigned jobs =
      static_cast<unsigned>(std::clamp<std::uint64_t>(std::max(options.jobs, 1u), 1, count));
  std::vector<std::thread> threads;
  for (unsigned j = 1; j < jobs; ++j) threads.emplace_back(worker);
  worker();
  for (std::thread& t : threads) t.join();
  result.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (stop) {
    // Seeds that never ran (an early stop) are dropped from the result.
    std::erase_if(result.seeds, [](const SeedResult& s) { return !s.ran; });
  }
  return result;
}

std::string replay_command(std::uint64_t seed, std::uint16_t hosts, Duration timeout,
                           std::uint32_t vms) {
  std::string cmd = fmt::format("poolha sim --random --seeds {}..{} --hosts {}", seed, seed, hosts);
  if (vms > 0) cmd += fmt::format(" --vms {}", vms);
  if (timeout != 30s) cmd += " --timeout " + format_duration(timeout);
  return cmd + " --timeline";
}

}  // namespace poolha::sim
