#include "cli/sim_command.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>
#include <thread>
#include <variant>

#include "cli/duration_option.h"
#include "sim/random_schedule.h"
#include "sim/scenario_parser.h"
#include "sim/scenario_runner.h"
#include "sim/scenario_writer.h"
#include "sim/sweep.h"

namespace poolha::cli {

namespace {

struct SimOptions {
  std::vector<std::string> files;
  std::vector<std::string> scenario_dirs;
  bool random = false;
  std::string seeds = "1..100";
  std::uint16_t hosts = 3;
  std::uint32_t vms = 0;
  unsigned jobs = 0;
  std::string timeout = "30s";
  bool timeline = false;
  bool quiet = false;
  bool stop_on_violation = false;
  bool print_scenario = false;
  bool hash = false;
};

constexpr int kFailed = 1;
constexpr int kUsage = 2;

bool parse_seed_range(const std::string& text, std::uint64_t& first, std::uint64_t& last) {
  const auto dots = text.find("..");
  const std::string a = text.substr(0, dots);
  const std::string b = dots == std::string::npos ? a : text.substr(dots + 2);
  auto x = sim::parse_unsigned(a, ~std::uint64_t{0});
  auto y = sim::parse_unsigned(b, ~std::uint64_t{0});
  if (!x || !y || *y < *x) return false;
  first = *x;
  last = *y;
  return true;
}

void print_report_problems(const sim::RunReport& r) {
  if (r.error) fmt::print("  error: {}\n", *r.error);
  for (const sim::Violation& v : r.violations)
    fmt::print("  violation at {} {}: {}\n", sim::format_virtual_time(v.at), v.invariant, v.detail);
  for (const std::string& f : r.failed_expectations) fmt::print("  expectation failed: {}\n", f);
}

int run_files(const SimOptions& o) {
  std::vector<std::string> files = o.files;
  for (const std::string& dir : o.scenario_dirs) {
    std::error_code ec;
    std::vector<std::string> found;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
      if (entry.is_regular_file() && entry.path().extension() == ".scn")
        found.push_back(entry.path().string());
    if (ec) {
      fmt::print(stderr, "poolha sim: cannot read directory {}: {}\n", dir, ec.message());
      return kUsage;
    }
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  if (files.empty()) {
    fmt::print(stderr, "poolha sim: no scenario files given (or use --random)\n");
    return kUsage;
  }

  std::size_t passed = 0;
  std::vector<std::string> failed;
  for (const std::string& file : files) {
    auto loaded = sim::load_scenario_file(file);
    if (auto* err = std::get_if<sim::ParseError>(&loaded)) {
      fmt::print("FAIL {}\n  {}\n", file, err->to_string());
      failed.push_back(file);
      continue;
    }
    const sim::Scenario& scenario = std::get<sim::Scenario>(loaded);
    sim::RunOptions run;
    run.echo = o.quiet ? nullptr : &std::cout;
    run.hash_timeline = o.hash;
    run.stop_on_violation = o.stop_on_violation;
    const sim::RunReport r = sim::run_scenario(scenario, run);
    std::cout.flush();
    const std::string hash = o.hash ? fmt::format(", timeline hash {:016x}", r.timeline_hash) : "";
    if (r.passed()) {
      ++passed;
      fmt::print("PASS {} ({} expectations, {} fences, {:.0f}s simulated in {:.3f}s{})\n", file,
                 r.expectations, r.fences, to_seconds(r.simulated), r.wall_seconds, hash);
    } else {
      failed.push_back(file);
      fmt::print("FAIL {} ({} expectations, {} fences, {:.0f}s simulated in {:.3f}s{})\n", file,
                 r.expectations, r.fences, to_seconds(r.simulated), r.wall_seconds, hash);
      print_report_problems(r);
    }
  }
  if (files.size() > 1) {
    fmt::print("{} scenarios: {} passed, {} failed\n", files.size(), passed, failed.size());
    for (const std::string& f : failed) fmt::print("  failed: {}\n", f);
  }
  return failed.empty() ? 0 : kFailed;
}

int run_random(const SimOptions& o) {
  sim::SweepOptions sweep;
  if (!parse_seed_range(o.seeds, sweep.first_seed, sweep.last_seed)) {
    fmt::print(stderr, "poolha sim: --seeds expects A..B (A <= B) or a single seed, got '{}'\n",
               o.seeds);
    return kUsage;
  }
  auto timeout = parse_duration_option(o.timeout);
  if (!timeout) {
    fmt::print(stderr, "poolha sim: --timeout expects a duration such as 30s, got '{}'\n",
               o.timeout);
    return kUsage;
  }
  sweep.hosts = o.hosts;
  sweep.vms = o.vms;
  sweep.timeout = *timeout;
  sweep.stop_on_violation = o.stop_on_violation;
  sweep.jobs = o.jobs != 0 ? o.jobs : std::max(1u, std::thread::hardware_concurrency());
  sim::report_aborted_seeds(sweep.hosts, sweep.timeout, sweep.vms);

  if (o.print_scenario || o.timeline) {
    // Replay mode: one seed after another, in full.
    int status = 0;
    for (std::uint64_t seed = sweep.first_seed;; ++seed) {
      const sim::SeedInProgress marker(seed);
      const sim::Scenario s =
          sim::make_random_scenario({seed, sweep.hosts, sweep.timeout, sweep.vms});
      if (o.print_scenario) fmt::print("{}", sim::write_scenario(s));
      if (o.timeline) {
        sim::RunOptions run;
        run.echo = &std::cout;
        run.stop_on_violation = o.stop_on_violation;
        const sim::RunReport r = sim::run_scenario(s, run);
        std::cout.flush();
        fmt::print("{} seed {} ({} violations, {} fences, {:.0f}s simulated in {:.3f}s)\n",
                   r.passed() ? "PASS" : "FAIL", seed, r.violations.size(), r.fences,
                   to_seconds(r.simulated), r.wall_seconds);
        if (!r.passed()) {
          print_report_problems(r);
          status = kFailed;
        }
      }
      if (seed == sweep.last_seed) break;
    }
    return status;
  }

  const sim::SweepResult result = sim::run_sweep(sweep);
  constexpr std::size_t kShown = 20;
  std::size_t shown = 0;
  for (const sim::SeedResult& r : result.seeds) {
    if (r.passed) continue;
    if (shown++ == kShown) {
      fmt::print("... more failing seeds not shown\n");
      break;
    }
    fmt::print("FAIL seed {}: {} violations\n", r.seed, r.violations.size());
    if (r.error) fmt::print("  error: {}\n", *r.error);
    for (std::size_t i = 0; i < r.violations.size() && i < 5; ++i)
      fmt::print("  at {} {}: {}\n", sim::format_virtual_time(r.violations[i].at),
                 r.violations[i].invariant, r.violations[i].detail);
    fmt::print("  replay: {}\n",
               sim::replay_command(r.seed, sweep.hosts, sweep.timeout, sweep.vms));
  }
  const double simulated = to_seconds(result.simulated());
  fmt::print(
      "random sweep: {} hosts{}, T={}, seeds {}..{}: {} runs, {} failed, {} violations, {} "
      "fences; simulated {:.1f} h in {:.2f} s wall on {} threads ({:.0f}x real time, slowest "
      "seed {:.3f} s)\n",
      sweep.hosts, sweep.vms > 0 ? fmt::format(", {} VMs", sweep.vms) : std::string(),
      sim::format_duration(sweep.timeout), sweep.first_seed, sweep.last_seed, result.seeds.size(),
      result.failed(), result.violations(), result.fences(), simulated / 3600, result.wall_seconds,
      sweep.jobs, result.wall_seconds > 0 ? simulated / result.wall_seconds : 0,
      result.slowest_seed_seconds());
  return result.failed() == 0 ? 0 : kFailed;
}

}  // namespace

void add_sim_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<SimOptions>();
  CLI::App* cmd = app.add_subcommand(
      "sim", "Run scenario files, or random fault sweeps, in the deterministic simulator");
  cmd->add_option("files", o->files, "Scenario files (.scn) to run");
  cmd->add_option("--scenarios", o->scenario_dirs,
                  "Run every .scn file in this directory (repeat for several)")
      ->allow_extra_args(false);
  cmd->add_flag("--random", o->random, "Run random fault schedules instead of files");
  cmd->add_option("--seeds", o->seeds, "Random mode: seed range A..B (or one seed)");
  cmd->add_option("--hosts", o->hosts, "Random mode: pool size")->check(CLI::Range(1, 256));
  cmd->add_option("--vms", o->vms,
                  "Random mode: VMs per pool, with VM faults (default 0: membership only)")
      ->check(CLI::Range(0, 100000));
  cmd->add_option("--jobs,-j", o->jobs, "Random mode: threads (default: one per core)");
  cmd->add_option("--timeout", o->timeout, "Random mode: HA timeout T (e.g. 30s)");
  cmd->add_flag("--timeline", o->timeline,
                "Random mode: run the seeds one by one and print their full timelines");
  cmd->add_flag("--print-scenario", o->print_scenario,
                "Random mode: print each seed's generated scenario in .scn form");
  cmd->add_flag("--quiet,-q", o->quiet, "Scenario mode: print only the results, not timelines");
  cmd->add_flag("--hash", o->hash, "Scenario mode: print each run's timeline hash");
  cmd->add_flag("--stop-on-violation", o->stop_on_violation, "Stop a run at its first violation");
  cmd->callback([o, &exit_code] {
    if (o->random && (!o->files.empty() || !o->scenario_dirs.empty())) {
      fmt::print(stderr, "poolha sim: give either scenario files or --random, not both\n");
      exit_code = kUsage;
      return;
    }
    exit_code = o->random ? run_random(*o) : run_files(*o);
  });
}

}  // namespace poolha::cli
