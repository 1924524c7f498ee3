#include "oracle/oracle.h"

#include <algorithm>
#include <limits>
#include <map>
#include <utility>

#include <fmt/format.h>

#include "oracle/oracle_error.h"

namespace poolha::oracle {

namespace {

// Everything known about one boot of the VM being judged.
struct BootTrack {
  std::vector<const ScannedRecord*> on_disk;                  // in sector order
  std::map<std::uint64_t, const ScannedRecord*> by_sequence;  // first copy of each
  std::map<std::uint64_t, const AckEntry*> acked;             // first line of each
  std::uint64_t start_ns = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t end_ns = 0;

  void cover(std::uint64_t time_ns) {
    start_ns = std::min(start_ns, time_ns);
    end_ns = std::max(end_ns, time_ns);
  }
};

struct ForeignBoot {
  std::size_t count = 0;
  std::uint64_t first_sector = 0;
  std::uint64_t last_sector = 0;
};

std::string sector_range(std::uint64_t first, std::uint64_t count) {
  return count == 1 ? fmt::format("sector {}", first)
                    : fmt::format("sectors {}..{}", first, first + count - 1);
}

std::string sequence_ranges(const std::vector<std::pair<std::uint64_t, std::uint64_t>>& runs) {
  constexpr std::size_t kShown = 5;
  std::string text;
  for (std::size_t i = 0; i < runs.size() && i < kShown; ++i) {
    if (!text.empty()) text += ", ";
    const auto& run = runs[i];
    text += run.first == run.second ? fmt::format("{}", run.first)
                                    : fmt::format("{}..{}", run.first, run.second);
  }
  if (runs.size() > kShown) text += fmt::format(" and {} more runs", runs.size() - kShown);
  return text;
}

class VmJudge {
 public:
  VmJudge(const VmDisk& disk, Verdict& verdict, VmSummary& summary)
      : disk_(disk), verdict_(verdict), summary_(summary) {}

  void run(const std::vector<const AckEntry*>& acks) {
    check_header();
    check_sectors();
    collect_records();
    collect_acks(acks);
    for (auto& [boot, track] : boots_) check_boot(boot, track);
    check_overlaps();
    summary_.boots = boots_.size();
  }

 private:
  void corrupt(CorruptionKind kind, std::string detail) {
    verdict_.corruptions.push_back({disk_.vm, kind, std::move(detail)});
    ++summary_.corruptions;
  }

  void check_header() {
    const DiskScan& scan = disk_.scan;
    if (scan.header.ok()) {
      if (scan.header.value().vm != disk_.vm) {
        corrupt(CorruptionKind::kHeaderOtherVm,
                fmt::format("{}: the header names VM {}", disk_.name, scan.header.value().vm));
      }
    } else if (scan.header.error() == wire::DecodeError::kEmpty) {
      if (scan.end_sector > kFirstRecordSector) {
        corrupt(CorruptionKind::kHeaderMissing,
                fmt::format("{}: the log holds sectors but sector 0 is empty", disk_.name));
      }
    } else {
      corrupt(CorruptionKind::kHeaderDamaged,
              fmt::format("{}: sector 0 is not a header ({})", disk_.name,
                          wire::to_string(scan.header.error())));
    }
  }

  void check_sectors() {
    for (const BadSector& bad : disk_.scan.bad_sectors) {
      corrupt(CorruptionKind::kBadSector, fmt::format("{}: sector {} is damaged ({})", disk_.name,
                                                      bad.sector, wire::to_string(bad.error)));
    }
    for (const EmptyRun& hole : disk_.scan.holes) {
      corrupt(CorruptionKind::kHole, fmt::format("{}: {} empty inside the log", disk_.name,
                                                 sector_range(hole.first, hole.count)));
    }
  }

  void collect_records() {
    std::map<std::pair<std::string, BootId>, ForeignBoot> foreign;
    for (const ScannedRecord& scanned : disk_.scan.records) {
      const DiskRecord& record = scanned.record;
      if (record.vm != disk_.vm) {
        ForeignBoot& f = foreign[{record.vm, record.boot}];
        if (f.count++ == 0) f.first_sector = scanned.sector;
        f.last_sector = scanned.sector;
        continue;
      }
      BootTrack& track = boots_[record.boot];
      track.on_disk.push_back(&scanned);
      track.cover(record.time_ns);
      ++summary_.records;
    }
    for (const auto& [key, f] : foreign) {
      corrupt(CorruptionKind::kForeignRecord,
              fmt::format("{}: {} records of VM {} boot {} in sectors {}..{}", disk_.name, f.count,
                          key.first, key.second.hex(), f.first_sector, f.last_sector));
    }
  }

  void collect_acks(const std::vector<const AckEntry*>& acks) {
    for (const AckEntry* ack : acks) {
      BootTrack& track = boots_[ack->boot];
      const auto [it, inserted] = track.acked.emplace(ack->sequence, ack);
      if (inserted) {
        track.cover(ack->time_ns);
        ++summary_.acked;
      } else if (it->second->time_ns != ack->time_ns) {
        corrupt(CorruptionKind::kAckConflict,
                fmt::format("boot {} sequence {}: {} acknowledges time {} but {} time {}",
                            ack->boot.hex(), ack->sequence, it->second->source, it->second->time_ns,
                            ack->source, ack->time_ns));
      }
    }
  }

  void check_boot(const BootId& boot, BootTrack& track) {
    check_disk_order(boot, track);
    for (const auto& [sequence, ack] : track.acked) {
      const auto found = track.by_sequence.find(sequence);
      if (found == track.by_sequence.end()) {
        verdict_.lost.push_back({disk_.vm, boot, sequence, ack->time_ns, ack->source});
        ++summary_.lost;
      } else if (found->second->record.time_ns != ack->time_ns) {
        corrupt(CorruptionKind::kAckMismatch,
                fmt::format("boot {} sequence {}: {} acknowledges time {}, sector {} holds time {}",
                            boot.hex(), sequence, ack->source, ack->time_ns, found->second->sector,
                            found->second->record.time_ns));
      }
    }
    check_gaps(boot, track);
  }

  // Along the disk a boot's records must be unique, ascending and in time
  // order. One report per kind and boot: the first case and how many.
  void check_disk_order(const BootId& boot, BootTrack& track) {
    std::size_t duplicates = 0, disorders = 0, time_reversals = 0;
    std::string first_duplicate, first_disorder, first_time_reversal;
    const ScannedRecord* previous = nullptr;
    for (const ScannedRecord* scanned : track.on_disk) {
      const DiskRecord& record = scanned->record;
      const auto [it, inserted] = track.by_sequence.emplace(record.sequence, scanned);
      if (!inserted && duplicates++ == 0) {
        first_duplicate = fmt::format("sequence {} in sectors {} and {}", record.sequence,
                                      it->second->sector, scanned->sector);
      }
      if (previous != nullptr) {
        if (record.sequence <= previous->record.sequence && disorders++ == 0) {
          first_disorder =
              fmt::format("sequence {} in sector {} after {} in sector {}", record.sequence,
                          scanned->sector, previous->record.sequence, previous->sector);
        }
        if (record.time_ns < previous->record.time_ns && time_reversals++ == 0) {
          first_time_reversal = fmt::format(
              "sector {} (sequence {}) is {} ns older than sector {}", scanned->sector,
              record.sequence, previous->record.time_ns - record.time_ns, previous->sector);
        }
      }
      previous = scanned;
    }
    if (duplicates > 0) {
      corrupt(CorruptionKind::kDuplicateRecord,
              fmt::format("{}: boot {}: {} duplicate records, first {}", disk_.name, boot.hex(),
                          duplicates, first_duplicate));
    }
    if (disorders > 0) {
      corrupt(CorruptionKind::kSequenceOrder,
              fmt::format("{}: boot {}: {} records out of sequence order, first {}", disk_.name,
                          boot.hex(), disorders, first_disorder));
    }
    if (time_reversals > 0) {
      corrupt(CorruptionKind::kTimeOrder,
              fmt::format("{}: boot {}: {} records out of time order, first {}", disk_.name,
                          boot.hex(), time_reversals, first_time_reversal));
    }
  }

  // A sequence neither on the disk nor acknowledged, below one that is: the
  // writer wrote it (it writes in order) and the disk no longer has it.
  void check_gaps(const BootId& boot, const BootTrack& track) {
    std::vector<std::pair<std::uint64_t, std::uint64_t>> runs;
    std::uint64_t expected = 1;
    auto disk_it = track.by_sequence.begin();
    auto ack_it = track.acked.begin();
    while (disk_it != track.by_sequence.end() || ack_it != track.acked.end()) {
      std::uint64_t known = 0;
      if (ack_it == track.acked.end() ||
          (disk_it != track.by_sequence.end() && disk_it->first <= ack_it->first)) {
        known = disk_it->first;
        if (ack_it != track.acked.end() && ack_it->first == known) ++ack_it;
        ++disk_it;
      } else {
        known = ack_it->first;
        ++ack_it;
      }
      if (known > expected) runs.emplace_back(expected, known - 1);
      expected = known + 1;
    }
    if (!runs.empty()) {
      corrupt(CorruptionKind::kSequenceGap,
              fmt::format("{}: boot {}: sequences {} missing from the disk, below {} (the last "
                          "written or acknowledged)",
                          disk_.name, boot.hex(), sequence_ranges(runs), expected - 1));
    }
  }

  void check_overlaps() {
    std::vector<std::pair<BootId, const BootTrack*>> spans;
    for (const auto& [boot, track] : boots_) spans.emplace_back(boot, &track);
    std::sort(spans.begin(), spans.end(), [](const auto& a, const auto& b) {
      return std::pair(a.second->start_ns, a.first) < std::pair(b.second->start_ns, b.first);
    });
    for (std::size_t i = 0; i < spans.size(); ++i) {
      for (std::size_t j = i + 1; j < spans.size(); ++j) {
        const BootTrack& earlier = *spans[i].second;
        const BootTrack& later = *spans[j].second;
        if (later.start_ns > earlier.end_ns) continue;
        const std::uint64_t overlap = std::min(earlier.end_ns, later.end_ns) - later.start_ns;
        verdict_.overlaps.push_back({disk_.vm, spans[i].first, spans[j].first, overlap});
        ++summary_.overlaps;
      }
    }
  }

  const VmDisk& disk_;
  Verdict& verdict_;
  VmSummary& summary_;
  std::map<BootId, BootTrack> boots_;
};

}  // namespace

std::string_view to_string(CorruptionKind kind) {
  switch (kind) {
    case CorruptionKind::kHeaderMissing:
      return "header missing";
    case CorruptionKind::kHeaderDamaged:
      return "header damaged";
    case CorruptionKind::kHeaderOtherVm:
      return "header names another VM";
    case CorruptionKind::kBadSector:
      return "damaged sector";
    case CorruptionKind::kHole:
      return "hole in the log";
    case CorruptionKind::kForeignRecord:
      return "records of another VM";
    case CorruptionKind::kDuplicateRecord:
      return "duplicate records";
    case CorruptionKind::kSequenceOrder:
      return "sequence order";
    case CorruptionKind::kSequenceGap:
      return "sequence gap";
    case CorruptionKind::kTimeOrder:
      return "time order";
    case CorruptionKind::kAckMismatch:
      return "ack differs from disk";
    case CorruptionKind::kAckConflict:
      return "conflicting acks";
    case CorruptionKind::kAckForUnknownVm:
      return "acks for a VM without a disk";
  }
  return "unknown corruption";
}

Verdict judge(std::span<const VmDisk> disks, std::span<const AckEntry> acks) {
  std::map<std::string, std::vector<const AckEntry*>> acks_by_vm;
  for (const AckEntry& ack : acks) acks_by_vm[ack.vm].push_back(&ack);

  Verdict verdict;
  std::map<std::string, std::string> seen;  // VM id -> its disk
  for (const VmDisk& disk : disks) {
    const auto [it, inserted] = seen.emplace(disk.vm, disk.name);
    if (!inserted) {
      throw OracleInputError(
          fmt::format("VM {} is given two disks: {} and {}", disk.vm, it->second, disk.name));
    }
    VmSummary& summary = verdict.vms.emplace_back();
    summary.vm = disk.vm;
    const auto found = acks_by_vm.find(disk.vm);
    static const std::vector<const AckEntry*> kNoAcks;
    VmJudge(disk, verdict, summary).run(found == acks_by_vm.end() ? kNoAcks : found->second);
    if (found != acks_by_vm.end()) acks_by_vm.erase(found);
  }
  for (const auto& [vm, vm_acks] : acks_by_vm) {
    verdict.corruptions.push_back(
        {vm, CorruptionKind::kAckForUnknownVm,
         fmt::format("{} ack lines (first {}) for VM {}, whose disk was not given", vm_acks.size(),
                     vm_acks.front()->source, vm)});
  }
  return verdict;
}

}  // namespace poolha::oracle
