#include "pool/metadata_log_recovery.h"

#include <fmt/format.h>
#include <algorithm>
#include <utility>
#include <variant>

#include "common/check.h"
#include "pool/change_json.h"
#include "pool/database_json.h"
#include "pool/log_record.h"

namespace poolha::pool {
namespace {

struct ChainRecord {
  std::uint64_t offset;  // within either half
  RecordView record;     // points into the area
};

struct Chain {
  std::vector<ChainRecord> records;  // a snapshot, then consecutive deltas
  // Generation reached reading only this half's own copies (0: not even a snapshot).
  Generation standalone_end = 0;
  Generation end() const { return records.empty() ? 0 : records.back().record.generation; }
  Generation base() const { return records.empty() ? 0 : records.front().record.base; }
};

class AreaWalker {
 public:
  AreaWalker(const LogGeometry& geometry, std::span<const std::uint8_t> area)
      : geometry_(geometry), area_(area) {}

  // The chain read from `half`, preferring its own copies.
  Chain walk(int half, std::vector<RecoveryIssue>& issues, Generation& highest_seen) const {
    Chain chain;
    bool own_copies_only = true;
    for (std::uint64_t offset = 0; offset + kRecordHeaderSize <= geometry_.half_size();) {
      const auto own = read(half, offset);
      const auto other = read(1 - half, offset);
      note_generation(own, highest_seen);
      note_generation(other, highest_seen);
      const RecordView* next = nullptr;
      if (continues(chain, own)) {
        next = &std::get<RecordView>(own);
        if (own_copies_only) chain.standalone_end = next->generation;
      } else if (continues(chain, other)) {
        next = &std::get<RecordView>(other);
        own_copies_only = false;
        issues.push_back({RecoveryIssue::Kind::kRepairedCopy, half, offset,
                          fmt::format("copy of generation {} unusable ({}); used half {}",
                                      next->generation, describe(own), 1 - half)});
      } else {
        // The end of the chain. Damage here (rather than blank space or an
        // older chain's record) is normally the interrupted last write.
        if (const auto* fault = std::get_if<RecordFault>(&own);
            fault != nullptr && *fault != RecordFault::kBlank) {
          issues.push_back(
              {RecoveryIssue::Kind::kTornRecord, half, offset, std::string(to_string(*fault))});
        }
        break;
      }
      chain.records.push_back({offset, *next});
      offset += next->stored_size;
    }
    return chain;
  }

 private:
  std::variant<RecordView, RecordFault> read(int half, std::uint64_t offset) const {
    const std::span<const std::uint8_t> rest =
        area_.subspan(geometry_.half_start(half) + offset, geometry_.half_size() - offset);
    return read_record(rest, geometry_.block_size);
  }

  static void note_generation(const std::variant<RecordView, RecordFault>& r, Generation& highest) {
    if (const auto* view = std::get_if<RecordView>(&r)) {
      highest = std::max(highest, view->generation);
    }
  }

  static bool continues(const Chain& chain, const std::variant<RecordView, RecordFault>& r) {
    const auto* view = std::get_if<RecordView>(&r);
    if (view == nullptr) return false;
    if (chain.records.empty()) return view->kind == RecordKind::kSnapshot;
    return view->kind == RecordKind::kDelta && view->generation == chain.end() + 1 &&
           view->base == chain.base();
  }

  static std::string describe(const std::variant<RecordView, RecordFault>& r) {
    if (const auto* fault = std::get_if<RecordFault>(&r)) return std::string(to_string(*fault));
    const auto& view = std::get<RecordView>(r);
    return fmt::format("holds generation {} of chain {}", view.generation, view.base);
  }

  const LogGeometry& geometry_;
  std::span<const std::uint8_t> area_;
};

// Decodes the chain's snapshot and applies its deltas, stopping before the
// first payload that does not decode or apply. nullopt if the snapshot fails.
std::optional<Snapshot> replay(const Chain& chain, int half, std::vector<RecoveryIssue>& issues) {
  if (chain.records.empty()) return std::nullopt;
  const ChainRecord& first = chain.records.front();
  Result<Database> database = decode_database(first.record.payload);
  if (!database) {
    issues.push_back({RecoveryIssue::Kind::kBadPayload, half, first.offset,
                      fmt::format("snapshot of generation {}: {}", first.record.generation,
                                  database.error().message())});
    return std::nullopt;
  }
  Snapshot snapshot{std::move(database).value(), first.record.generation};
  for (std::size_t i = 1; i < chain.records.size(); ++i) {
    const ChainRecord& delta = chain.records[i];
    Result<Change> change = decode_change(delta.record.payload);
    Status applied = change ? snapshot.database.apply(change.value()) : Status(change.error());
    if (!applied) {
      issues.push_back({RecoveryIssue::Kind::kBadPayload, half, delta.offset,
                        fmt::format("delta of generation {}: {}", delta.record.generation,
                                    applied.error().message())});
      break;
    }
    snapshot.generation = delta.record.generation;
  }
  return snapshot;
}

}  // namespace

RecoveredLog recover_metadata_log(const LogGeometry& geometry, std::span<const std::uint8_t> area) {
  POOLHA_CHECK(is_valid(geometry), "invalid metadata log geometry");
  POOLHA_CHECK(area.size() == geometry.area_size, "metadata area image of the wrong size");

  RecoveredLog out;
  const AreaWalker walker(geometry, area);
  const Chain chains[2] = {walker.walk(0, out.issues, out.highest_generation_seen),
                           walker.walk(1, out.issues, out.highest_generation_seen)};

  // Longest chain first; half 0 on a tie. Replay the second only if it could
  // beat what the first yields (it is usually the same chain).
  const int best = chains[1].end() > chains[0].end() ? 1 : 0;
  out.newest = replay(chains[best], best, out.issues);
  const Chain& runner_up = chains[1 - best];
  const Generation reached = out.newest ? out.newest->generation : 0;
  const bool same_chain =
      runner_up.base() == chains[best].base() && runner_up.end() == chains[best].end();
  if (runner_up.end() > reached && !same_chain) {
    std::optional<Snapshot> alternative = replay(runner_up, 1 - best, out.issues);
    if (alternative && alternative->generation > reached) out.newest = std::move(alternative);
  }

  out.first_half_to_overwrite = chains[1].standalone_end < chains[0].standalone_end ? 1 : 0;
  std::stable_sort(out.issues.begin(), out.issues.end(), [](const auto& a, const auto& b) {
    return std::pair(a.half, a.offset) < std::pair(b.half, b.offset);
  });
  // Both walks replay the same damaged record when they share a chain.
  out.issues.erase(std::unique(out.issues.begin(), out.issues.end()), out.issues.end());
  return out;
}

}  // namespace poolha::pool
