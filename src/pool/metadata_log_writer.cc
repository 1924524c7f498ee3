#include "pool/metadata_log_writer.h"

#include <fmt/format.h>
#include <algorithm>
#include <utility>

#include "common/check.h"
#include "pool/change_json.h"
#include "pool/database_json.h"

namespace poolha::pool {

MetadataLogWriter::MetadataLogWriter(MasterToken master, LogGeometry geometry, Snapshot start,
                                     const RecoveredLog& area)
    : master_(std::move(master)),
      geometry_(geometry),
      database_(std::move(start.database)),
      generation_(start.generation),
      next_generation_(std::max(start.generation, area.highest_generation_seen) + 1),
      first_half_(area.first_half_to_overwrite) {
  POOLHA_CHECK(is_valid(geometry_), "invalid metadata log geometry");
  POOLHA_CHECK(first_half_ == 0 || first_half_ == 1, "a half is 0 or 1");
}

bool MetadataLogWriter::is_master() const {
  return taken_over_ && database_.pool().master == master_.host_uuid();
}

Result<PendingWrite> MetadataLogWriter::take_over() {
  POOLHA_CHECK(!taken_over_, "take_over() twice");
  POOLHA_CHECK(!pending_, "a new request before the outstanding one was acknowledged");
  if (database_.find_host(master_.host_uuid()) == nullptr) {
    return Error{ErrorCode::kUnknownUuid,
                 fmt::format("master host {} is not in the pool", master_.host_uuid())};
  }
  Database next = database_;
  SetPoolFields record_master;
  record_master.master = master_.host_uuid();
  if (Status s = next.apply(record_master); !s) return s.error();
  return write_snapshot(std::move(next), /*is_take_over=*/true);
}

Result<PendingWrite> MetadataLogWriter::append(const Change& change) {
  POOLHA_CHECK(taken_over_, "append() before take_over() was acknowledged");
  POOLHA_CHECK(!pending_, "a new request before the outstanding one was acknowledged");
  if (!is_master()) {
    return Error{ErrorCode::kNotMaster, fmt::format("host {} handed the master role to {}",
                                                    master_.host_uuid(), database_.pool().master)};
  }
  if (Status s = database_.check(change); !s) return s.error();

  if (!needs_snapshot_) {
    const std::vector<std::uint8_t> record =
        encode_record(RecordKind::kDelta, next_generation_, chain_base_, encode_change(change),
                      geometry_.block_size);
    if (record.size() <= half_capacity() - tail_) {
      Outstanding delta{.generation = next_generation_,
                        .kind = RecordKind::kDelta,
                        .first_half = first_half_,
                        .record_size = record.size(),
                        .delta = change,
                        .snapshot = std::nullopt,
                        .is_take_over = false};
      return issue(std::move(delta), record, tail_);
    }
  }
  // No room left after the chain (or no chain to append to): compact.
  Database next = database_;
  POOLHA_CHECK(next.apply(change).ok(), "a checked change failed to apply");
  return write_snapshot(std::move(next), /*is_take_over=*/false);
}

Result<PendingWrite> MetadataLogWriter::write_snapshot(Database next, bool is_take_over) {
  const std::string payload = encode_database(next);
  const std::size_t size = stored_record_size(payload.size(), geometry_.block_size);
  if (payload.size() > UINT32_MAX || size > half_capacity()) {
    return Error{
        ErrorCode::kAreaTooSmall,
        fmt::format("a {}-byte snapshot does not fit in a {}-byte half", size, half_capacity())};
  }
  const std::vector<std::uint8_t> record = encode_record(
      RecordKind::kSnapshot, next_generation_, next_generation_, payload, geometry_.block_size);
  Outstanding snapshot{.generation = next_generation_,
                       .kind = RecordKind::kSnapshot,
                       .first_half = first_half_,
                       .record_size = record.size(),
                       .delta = std::nullopt,
                       .snapshot = std::move(next),
                       .is_take_over = is_take_over};
  return issue(std::move(snapshot), record, 0);
}

PendingWrite MetadataLogWriter::issue(Outstanding outstanding,
                                      const std::vector<std::uint8_t>& record,
                                      std::uint64_t offset_in_half) {
  POOLHA_CHECK(offset_in_half + record.size() <= half_capacity(), "record overflows its half");
  PendingWrite out{outstanding.generation, outstanding.kind, {}};
  for (const int half : {outstanding.first_half, 1 - outstanding.first_half}) {
    out.writes.push_back({geometry_.half_start(half) + offset_in_half, record});
  }
  pending_ = std::move(outstanding);
  return out;
}

void MetadataLogWriter::acknowledge(Generation generation) {
  POOLHA_CHECK(pending_.has_value(), "acknowledge() with nothing outstanding");
  POOLHA_CHECK(pending_->generation == generation, "acknowledge() of another generation");
  Outstanding done = std::move(*pending_);
  pending_.reset();
  if (done.kind == RecordKind::kDelta) {
    POOLHA_CHECK(database_.apply(*done.delta).ok(), "a persisted change failed to apply");
    tail_ += done.record_size;
  } else {
    database_ = std::move(*done.snapshot);
    chain_base_ = generation;
    tail_ = done.record_size;
    needs_snapshot_ = false;
    first_half_ = 0;  // both halves now hold the same chain
    if (done.is_take_over) taken_over_ = true;
  }
  POOLHA_CHECK(tail_ <= half_capacity(), "the log overran its half");
  generation_ = generation;
  next_generation_ = generation + 1;
}

void MetadataLogWriter::abandon(std::size_t writes_completed) {
  POOLHA_CHECK(pending_.has_value(), "abandon() with nothing outstanding");
  POOLHA_CHECK(writes_completed < 2, "abandon() after both writes completed");
  // Rewrite first the half whose write did not complete: the other one still
  // holds everything acknowledged.
  first_half_ = writes_completed == 0 ? pending_->first_half : 1 - pending_->first_half;
  needs_snapshot_ = true;
  // Never reuse the number: the dropped record may be intact in one half.
  next_generation_ = pending_->generation + 1;
  pending_.reset();
}

}  // namespace poolha::pool
