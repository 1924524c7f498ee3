#include "oracle/commands.h"

#include <signal.h>

#include <atomic>
#include <cstring>
#include <fstream>
#include <optional>
#include <ostream>

#include <fmt/format.h>

#include "io/io_error.h"
#include "oracle/ack_log.h"
#include "oracle/disk_open.h"
#include "oracle/disk_writer.h"
#include "oracle/judge_files.h"
#include "oracle/oracle.h"
#include "oracle/oracle_error.h"
#include "oracle/verdict_report.h"

namespace poolha::oracle {

namespace {

std::atomic<bool> writer_stop_requested{false};
static_assert(std::atomic<bool>::is_always_lock_free, "the stop flag is set in a signal handler");

void request_writer_stop(int) {
  writer_stop_requested.store(true);
}

// The writer looks at the flag before each record and every 10 ms while it
// waits, so it stops promptly without any work in the handler.
void stop_writer_on_termination_signals() {
  struct sigaction action {};
  action.sa_handler = request_writer_stop;
  sigemptyset(&action.sa_mask);
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
}

// "UUID=DISK", the VM id canonical.
std::pair<std::string, std::string> parse_disk_argument(const std::string& argument) {
  const std::size_t equals = argument.find('=');
  if (equals == std::string::npos) {
    throw OracleInputError(fmt::format("--disk {}: expected VM_UUID=DISK", argument));
  }
  const std::optional<std::string> vm = parse_vm_id(argument.substr(0, equals));
  if (!vm) {
    throw OracleInputError(
        fmt::format("--disk {}: '{}' is not a VM UUID", argument, argument.substr(0, equals)));
  }
  const std::string disk = argument.substr(equals + 1);
  if (disk.empty()) throw OracleInputError(fmt::format("--disk {}: no disk after '='", argument));
  return {*vm, disk};
}

}  // namespace

int run_disk_writer_command(const DiskWriterCommandOptions& options, std::ostream& err) {
  const std::optional<std::string> vm = parse_vm_id(options.vm);
  if (!vm) {
    err << fmt::format("disk-writer: --vm {}: not a VM UUID\n", options.vm);
    return 2;
  }
  if (options.interval_ms < 0) {
    err << fmt::format("disk-writer: --interval-ms {}: must not be negative\n",
                       options.interval_ms);
    return 2;
  }
  stop_writer_on_termination_signals();
  const BootId boot = random_boot_id();
  const std::string who = fmt::format("disk-writer: vm {} boot {}", *vm, boot.hex());
  std::uint64_t written = 0;
  try {
    const std::unique_ptr<io::BlockDevice> disk = open_disk(options.disk, !options.buffered);
    AckLogFile acks(options.ack_log);
    DiskWriter writer(*disk, acks, *vm, boot);
    err << fmt::format("{}: appending to {} from sector {} (room for {} records)\n", who,
                       disk->name(), writer.first_sector(),
                       writer.sector_count() - writer.first_sector())
        << std::flush;
    run_disk_writer(writer, std::chrono::milliseconds(options.interval_ms), writer_stop_requested,
                    [&written](const AckEntry&) { ++written; });
  } catch (const std::exception& e) {
    // DiskWriterError, io::IoError: the VM dies of its disk.
    err << fmt::format("{}: FAILED after {} acknowledged records: {}\n", who, written, e.what());
    return 1;
  }
  err << fmt::format("{}: stopped after {} acknowledged records\n", who, written);
  return 0;
}

int run_disk_oracle_command(const DiskOracleCommandOptions& options, std::ostream& out,
                            std::ostream& err) {
  Verdict verdict;
  try {
    std::vector<DiskToJudge> disks;
    for (const std::string& argument : options.disks) {
      auto [vm, name] = parse_disk_argument(argument);
      disks.push_back({std::move(vm), std::move(name)});
    }
    verdict = judge_files(disks, options.ack_logs);
  } catch (const OracleInputError& e) {
    err << "disk-oracle: " << e.what() << "\n";
    return 2;
  } catch (const io::IoError& e) {
    err << "disk-oracle: " << e.what() << "\n";
    return 2;
  }
  out << format_verdict(verdict) << "summary: " << verdict_summary_json(verdict).dump() << "\n";
  if (!options.json_path.empty()) {
    std::ofstream json(options.json_path);
    json << verdict_json(verdict).dump(2) << "\n";
    if (!json.flush()) {
      err << fmt::format("disk-oracle: cannot write {}\n", options.json_path.string());
      return 2;
    }
  }
  return verdict.clean() ? 0 : 1;
}

}  // namespace poolha::oracle
