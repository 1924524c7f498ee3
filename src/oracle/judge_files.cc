#include "oracle/judge_files.h"

#include <fmt/format.h>

#include <iterator>
#include <memory>
#include <vector>

#include "oracle/ack_log.h"
#include "oracle/disk_open.h"
#include "oracle/disk_scan.h"
#include "oracle/oracle_error.h"

namespace poolha::oracle {

Verdict judge_files(std::span<const DiskToJudge> disks,
                    std::span<const std::filesystem::path> ack_logs) {
  std::vector<VmDisk> scanned;
  for (const DiskToJudge& disk : disks) {
    // Buffered: the oracle reads after the run on the machine that served
    // the disk, where the page cache is coherent with what was written.
    const std::unique_ptr<io::BlockDevice> device = open_disk(disk.disk, false);
    DiskScan scan = scan_disk(*device);
    std::string vm = disk.vm;
    if (vm.empty()) {
      if (scan.header) {
        vm = scan.header.value().vm;
      } else if (scan.header.error() == wire::DecodeError::kEmpty && scan.records.empty() &&
                 scan.bad_sectors.empty()) {
        continue;  // never written: no VM ran on it
      } else {
        throw OracleInputError(
            fmt::format("{}: no readable header names the VM it belongs to", disk.disk));
      }
    }
    scanned.push_back({std::move(vm), disk.disk, std::move(scan)});
  }
  std::vector<AckEntry> acks;
  std::vector<std::string> warnings;
  for (const std::filesystem::path& path : ack_logs) {
    AckLogContents contents = load_ack_log(path);
    acks.insert(acks.end(), std::make_move_iterator(contents.entries.begin()),
                std::make_move_iterator(contents.entries.end()));
    warnings.insert(warnings.end(), contents.warnings.begin(), contents.warnings.end());
  }
  Verdict verdict = judge(scanned, acks);
  verdict.warnings.insert(verdict.warnings.end(), warnings.begin(), warnings.end());
  return verdict;
}

}  // namespace poolha::oracle
