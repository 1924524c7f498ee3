// The store keeps at most one device operation of the master's outstanding
// (the writer allows one request at a time), and tags every completion with
// the term it was issued in, so a write that returns after the host stopped
// being master never touches a later writer.
#include "daemon/store/pool_store.h"

#include <algorithm>
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <asio/post.hpp>

#include "common/check.h"
#include "daemon/store/heartbeat_sr_layout.h"
#include "daemon/store/local_copy_file.h"

namespace poolha::daemon {

namespace {

constexpr const char* kFromArea = "metadata area";
constexpr const char* kFromLocalCopy = "local copy";
constexpr const char* kFromMemory = "snapshot in memory";

std::string_view issue_name(pool::RecoveryIssue::Kind kind) {
  switch (kind) {
    case pool::RecoveryIssue::Kind::kRepairedCopy:
      return "damaged copy replaced by the other half's";
    case pool::RecoveryIssue::Kind::kTornRecord:
      return "interrupted write skipped";
    case pool::RecoveryIssue::Kind::kBadPayload:
      return "record that does not decode or apply; chain cut";
  }
  return "unknown issue";
}

std::string seconds_text(Duration d) {
  return fmt::format("{:g} s", to_seconds(d));
}

StoreOutcome failed(std::string error, std::optional<pool::ErrorCode> refused = std::nullopt) {
  StoreOutcome outcome;
  outcome.error = std::move(error);
  outcome.refused = refused;
  return outcome;
}

}  // namespace

PoolStore::PoolStore(asio::any_io_executor executor, io::StorageWorker& worker,
                     PoolStoreSettings settings)
    : executor_(std::move(executor)),
      worker_(worker),
      settings_(std::move(settings)),
      geometry_{settings_.metadata_area.size, kMetadataBlockSize},
      local_copy_file_(local_copy_path(settings_.state_dir)),
      self_(std::make_shared<PoolStore*>(this)),
      local_copy_saver_(
          [file = local_copy_file_](const pool::Database& database, pool::Generation generation) {
            save_local_copy(file, pool::Snapshot{database, generation});
          },
          [this](const LocalCopySaveOutcome& outcome) {
            // Runs on the saver's thread; the store's state lives on the loop.
            post([this, outcome] { on_local_copy_saved(outcome); });
          }),
      retry_timer_(executor_) {
  POOLHA_CHECK(pool::is_valid(geometry_), "the metadata area is a valid log geometry");
  POOLHA_CHECK(settings_.metadata_area.base % kMetadataBlockSize == 0,
               "the metadata area starts on a block boundary");
  POOLHA_CHECK(!settings_.pool_uuid.empty(), "the store knows its pool's uuid");
}

void PoolStore::post(Handler handler) {
  asio::post(executor_, [weak = std::weak_ptr<PoolStore*>(self_), handler = std::move(handler)] {
    if (weak.lock()) handler();
  });
}

void PoolStore::read_area(std::function<void(io::StorageResult)> done) {
  worker_.submit(
      next_operation_id_++, settings_.device_timeout,
      io::region_read_job(settings_.metadata_area, "pool database metadata area read"),
      [weak = std::weak_ptr<PoolStore*>(self_), done = std::move(done)](io::StorageResult result) {
        if (weak.lock()) done(std::move(result));
      });
}

void PoolStore::write_area(std::vector<pool::AreaWrite> writes,
                           std::function<void(io::StorageResult)> done) {
  worker_.submit(
      next_operation_id_++, settings_.device_timeout,
      io::area_writes_job(std::move(writes), settings_.metadata_area),
      [weak = std::weak_ptr<PoolStore*>(self_), done = std::move(done)](io::StorageResult result) {
        if (weak.lock()) done(std::move(result));
      });
}

void PoolStore::retry_later(Handler handler) {
  retry_pending_ = true;
  retry_timer_.expires_after(settings_.retry_delay);
  retry_timer_.async_wait([weak = std::weak_ptr<PoolStore*>(self_), term = term_,
                           handler = std::move(handler)](const asio::error_code& ec) {
    const std::shared_ptr<PoolStore*> alive = weak.lock();
    if (!alive || ec) return;
    PoolStore& store = **alive;
    if (term != store.term_) return;
    store.retry_pending_ = false;
    handler();
  });
}

PoolStore::Candidate PoolStore::choose_newest(const io::StorageResult& read,
                                              pool::RecoveredLog* recovered) {
  Candidate candidate;
  *recovered = pool::recover_metadata_log(geometry_, read.bytes);
  for (const pool::RecoveryIssue& issue : recovered->issues) {
    spdlog::warn("pool database on {}: half {} offset {}: {} ({})", worker_.device().name(),
                 issue.half, issue.offset, issue_name(issue.kind), issue.detail);
  }
  std::optional<pool::Snapshot>& area = recovered->newest;
  if (area && area->database.pool().uuid != settings_.pool_uuid) {
    candidate.error = fmt::format(
        "the metadata area of {} holds the database of pool {}, not of this host's pool {}",
        worker_.device().name(), area->database.pool().uuid, settings_.pool_uuid);
    return candidate;
  }

  // The area is the authority; a local copy that cannot be used is reported
  // and left out, never a reason to refuse the area's database.
  std::optional<pool::Snapshot> local;
  try {
    local = read_local_copy(local_copy_file_);
  } catch (const LocalCopyError& error) {
    spdlog::warn("{}; not using it", error.what());
  }
  if (local && local->database.pool().uuid != settings_.pool_uuid) {
    spdlog::warn(
        "local copy {} holds the database of pool {}, not of this host's pool {}; not "
        "using it",
        local_copy_file_.string(), local->database.pool().uuid, settings_.pool_uuid);
    local.reset();
  }
  local_copy_generation_ = local ? local->generation : 0;

  const pool::Snapshot* newest =
      pool::newest_snapshot({area ? &*area : nullptr, local ? &*local : nullptr});
  if (newest != nullptr && (database_ == nullptr || newest->generation > generation_)) {
    const bool from_area = area && newest == &*area;
    candidate.source = from_area ? kFromArea : kFromLocalCopy;
    candidate.snapshot = std::move(from_area ? *area : *local);
    return candidate;
  }
  if (database_ == nullptr) {
    candidate.error = fmt::format(
        "no pool database: the metadata area of {} holds none and there is no local copy at {}",
        worker_.device().name(), local_copy_file_.string());
    return candidate;
  }
  candidate.source = kFromMemory;
  return candidate;
}

void PoolStore::finish_load(const io::StorageResult& read, const LoadCallback& done) {
  LoadOutcome outcome;
  if (!read.ok) {
    ++stats_.reads_failed;
    outcome.error = fmt::format("cannot read the pool database: {}", read.error);
    done(std::move(outcome));
    return;
  }
  pool::RecoveredLog recovered;
  Candidate candidate = choose_newest(read, &recovered);
  if (!candidate.error.empty()) {
    outcome.error = std::move(candidate.error);
    done(std::move(outcome));
    return;
  }
  if (role_ == Role::kSlave) {
    if (candidate.snapshot) {
      publish(std::move(*candidate.snapshot));
    } else {
      save_local_copy_if_stale();
    }
  }
  outcome.database = database_;
  outcome.generation = generation_;
  outcome.source = std::move(candidate.source);
  done(std::move(outcome));
}

void PoolStore::load(LoadCallback done) {
  read_area(
      [this, done = std::move(done)](io::StorageResult result) { finish_load(result, done); });
}

void PoolStore::refresh() {
  if (role_ != Role::kSlave) return;
  if (refresh_in_flight_) {
    // The read under way may have started before the change that prompted
    // this call: read once more after it.
    refresh_again_ = true;
    return;
  }
  refresh_in_flight_ = true;
  read_area([this](io::StorageResult result) {
    refresh_in_flight_ = false;
    if (role_ == Role::kSlave) {
      finish_load(result, [](const LoadOutcome& outcome) {
        if (!outcome.ok()) spdlog::warn("pool database refresh: {}", outcome.error);
      });
    }
    if (refresh_again_) {
      refresh_again_ = false;
      refresh();
    }
  });
}

void PoolStore::become_master(pool::MasterToken token, OutcomeCallback done) {
  POOLHA_CHECK(role_ == Role::kSlave, "become_master() while master or taking over");
  ++term_;
  role_ = Role::kTakingOver;
  token_ = std::move(token);
  take_over_done_ = std::move(done);
  take_over_read();
}

void PoolStore::take_over_read() {
  read_area([this, term = term_](io::StorageResult result) {
    if (term != term_) return;
    if (!result.ok) {
      ++stats_.reads_failed;
      spdlog::warn("taking over the pool database: {}; retrying in {}", result.error,
                   seconds_text(settings_.retry_delay));
      retry_later([this] { take_over_read(); });
      return;
    }
    pool::RecoveredLog recovered;
    Candidate candidate = choose_newest(result, &recovered);
    if (!candidate.error.empty()) {
      drop_master_role(fmt::format("cannot take over the pool database: {}", candidate.error));
      return;
    }
    // Not published yet: what recovery found in one half only is durable
    // once the take-over snapshot is.
    pool::Snapshot start = candidate.snapshot ? std::move(*candidate.snapshot)
                                              : pool::Snapshot{*database_, generation_};
    spdlog::info("taking over the pool database at generation {} from the {}", start.generation,
                 candidate.source);
    writer_.emplace(*token_, geometry_, std::move(start), recovered);
    take_over_write();
  });
}

void PoolStore::take_over_write() {
  pool::Result<pool::PendingWrite> pending = writer_->take_over();
  if (!pending) {
    drop_master_role(
        fmt::format("cannot take over the pool database: {}", pending.error().message()));
    return;
  }
  const pool::Generation generation = pending.value().generation;
  const std::size_t writes = pending.value().writes.size();
  write_area(std::move(pending).value().writes, [this, term = term_, generation,
                                                 writes](io::StorageResult result) {
    if (term != term_) return;
    if (!result.ok && result.steps_completed < writes) {
      ++stats_.writes_failed;
      writer_->abandon(result.steps_completed);
      spdlog::warn("writing the pool database take-over snapshot failed: {}; retrying in {}",
                   result.error, seconds_text(settings_.retry_delay));
      retry_later([this] { take_over_write(); });
      return;
    }
    // Every write landed, even if the job timed out after the last one.
    writer_->acknowledge(generation);
    ++stats_.writes_acknowledged;
    role_ = Role::kMaster;
    publish(pool::Snapshot{writer_->database(), writer_->generation()});
    StoreOutcome outcome;
    outcome.generation = generation;
    post([done = std::move(take_over_done_), outcome] {
      if (done) done(outcome);
    });
    take_over_done_ = nullptr;
    pump();
  });
}

void PoolStore::drop_master_role(const std::string& why) {
  ++term_;
  role_ = Role::kSlave;
  writer_.reset();
  token_.reset();
  write_in_flight_ = false;
  retry_pending_ = false;
  retry_timer_.cancel();
  if (take_over_done_) {
    post([done = std::move(take_over_done_), why] { done(failed(why)); });
    take_over_done_ = nullptr;
  }
  for (Request& request : queue_) {
    post([done = std::move(request.done), why] { done(failed(why, pool::ErrorCode::kNotMaster)); });
  }
  queue_.clear();
}

void PoolStore::stop_being_master() {
  if (role_ == Role::kSlave) return;
  drop_master_role(
      write_in_flight_
          ? "not persisted: this host stopped being the pool master (a write already on the "
            "device may still land; the next master's database decides)"
          : "not persisted: this host stopped being the pool master");
}

void PoolStore::persist(std::vector<pool::Change> changes, OutcomeCallback done) {
  if (role_ == Role::kSlave) {
    post([done = std::move(done)] {
      done(failed("this host is not the pool master", pool::ErrorCode::kNotMaster));
    });
    return;
  }
  Request request;
  request.changes = std::move(changes);
  request.done = std::move(done);
  queue_.push_back(std::move(request));
  pump();
}

bool PoolStore::check_request(Request& request) {
  if (request.checked) return true;
  request.checked = true;
  if (request.changes.size() < 2) return true;  // append() checks a single change itself
  pool::Database scratch = writer_->database();
  for (std::size_t i = 0; i < request.changes.size(); ++i) {
    if (pool::Status status = scratch.apply(request.changes[i]); !status) {
      post([done = std::move(request.done), error = status.error(), i,
            count = request.changes.size(),
            op = std::string(pool::operation_name(request.changes[i]))] {
        done(failed(fmt::format("change {} of {} ({}) refused, nothing written: {}", i + 1, count,
                                op, error.message()),
                    error.code));
      });
      return false;
    }
  }
  return true;
}

void PoolStore::pump() {
  while (role_ == Role::kMaster && !write_in_flight_ && !retry_pending_ && !queue_.empty()) {
    Request& request = queue_.front();
    if (!check_request(request)) {
      queue_.pop_front();
      continue;
    }
    if (request.next == request.changes.size()) {  // an empty request
      post([done = std::move(request.done), generation = generation_] {
        StoreOutcome outcome;
        outcome.generation = generation;
        done(outcome);
      });
      queue_.pop_front();
      continue;
    }
    pool::Result<pool::PendingWrite> pending = writer_->append(request.changes[request.next]);
    if (!pending) {
      std::string error =
          request.next == 0
              ? fmt::format("refused, nothing written: {}", pending.error().message())
              : fmt::format("change {} of {} refused after the first {} were persisted: {}",
                            request.next + 1, request.changes.size(), request.next,
                            pending.error().message());
      post([done = std::move(request.done), error = std::move(error), code = pending.error().code] {
        done(failed(error, code));
      });
      queue_.pop_front();
      continue;
    }
    const pool::Generation generation = pending.value().generation;
    const std::size_t writes = pending.value().writes.size();
    write_in_flight_ = true;
    write_area(std::move(pending).value().writes,
               [this, term = term_, generation, writes](io::StorageResult result) {
                 on_change_written(term, generation, writes, result);
               });
    return;
  }
}

void PoolStore::on_change_written(std::uint64_t term, pool::Generation generation,
                                  std::size_t writes, const io::StorageResult& result) {
  if (term != term_) return;
  write_in_flight_ = false;
  POOLHA_CHECK(!queue_.empty(), "a write completes for a queued request");
  if (!result.ok && result.steps_completed < writes) {
    ++stats_.writes_failed;
    writer_->abandon(result.steps_completed);
    spdlog::warn("writing the pool database failed: {}; retrying in {}", result.error,
                 seconds_text(settings_.retry_delay));
    retry_later([this] { pump(); });
    return;
  }
  // Every write landed, even if the job timed out after the last one.
  writer_->acknowledge(generation);
  ++stats_.writes_acknowledged;
  Request& request = queue_.front();
  if (++request.next == request.changes.size()) {
    publish(pool::Snapshot{writer_->database(), writer_->generation()});
    post([done = std::move(request.done), generation] {
      StoreOutcome outcome;
      outcome.generation = generation;
      done(outcome);
    });
    queue_.pop_front();
  }
  pump();
}

void PoolStore::publish(pool::Snapshot snapshot) {
  database_ = std::make_shared<const pool::Database>(std::move(snapshot.database));
  generation_ = snapshot.generation;
  save_local_copy_if_stale();
  if (listener_) listener_(database_, generation_);
}

void PoolStore::save_local_copy_if_stale() {
  if (database_ == nullptr || local_copy_generation_ >= generation_) return;
  local_copy_saver_.save(database_, generation_);
}

void PoolStore::on_local_copy_saved(const LocalCopySaveOutcome& outcome) {
  if (outcome.ok()) {
    local_copy_generation_ = std::max(local_copy_generation_, outcome.generation);
    return;
  }
  ++stats_.local_copy_failures;
  spdlog::warn("saving the local copy of the pool database (generation {}): {}", outcome.generation,
               outcome.error);
}

}  // namespace poolha::daemon
