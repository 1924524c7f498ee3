// The daemon's pool database on the heartbeat SR: the metadata log read and
// written with real I/O, and the host's local copy beside it. It does on a
// device what the simulator's MetadataArea does on a byte image, with the
// same pure pieces (pool::recover_metadata_log, pool::MetadataLogWriter).
//
// Every host keeps the newest database it has seen as its snapshot. A slave
// refreshes it from the area when told to (after a liveset change and every
// few seconds). The master holds the only writer: become_master() loads the
// newest database (area, local copy or snapshot, by generation) and writes
// the take-over snapshot; persist() then writes each change before its
// callback says so, so nobody is told about a change that a new master could
// miss.
//
// Device I/O runs on the StorageWorker shared with the membership driver,
// each operation with a deadline. A failed or timed-out write is abandoned
// and retried after a delay until it lands or this host stops being master;
// a read that fails reports the error (load) or is retried (take-over).
//
// Threading: every call and every callback runs on the executor's thread.
// Callbacks never run inside the call that registers them. The local copy
// alone is written on a thread of its own (LocalCopySaver), because its
// fsyncs would stall the loop.
#pragma once

#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <asio/any_io_executor.hpp>
#include <asio/steady_timer.hpp>

#include "common/time.h"
#include "daemon/store/local_copy_saver.h"
#include "io/storage_jobs.h"
#include "io/storage_worker.h"
#include "pool/change.h"
#include "pool/database.h"
#include "pool/error.h"
#include "pool/generation.h"
#include "pool/log_geometry.h"
#include "pool/master_token.h"
#include "pool/metadata_log_recovery.h"
#include "pool/metadata_log_writer.h"
#include "pool/snapshot.h"

namespace poolha::daemon {

struct PoolStoreSettings {
  std::string pool_uuid;            // a database of another pool is refused
  io::DeviceRegion metadata_area;   // HeartbeatSrLayout::metadata_area
  std::filesystem::path state_dir;  // holds the local copy
  Duration device_timeout = 5s;     // deadline of every read and write of the area
  Duration retry_delay = 1s;        // before retrying a failed write or take-over read
};

// What load() found.
struct LoadOutcome {
  std::string error;  // empty on success
  std::shared_ptr<const pool::Database> database;
  pool::Generation generation = 0;
  std::string source;  // "metadata area", "local copy" or "snapshot in memory"

  bool ok() const { return error.empty(); }
};

// The result of become_master() or persist().
struct StoreOutcome {
  std::string error;  // empty on success
  // Set when the database's rules refused a change; nothing was written.
  std::optional<pool::ErrorCode> refused;
  pool::Generation generation = 0;  // the acknowledged generation, on success

  bool ok() const { return error.empty(); }
};

struct PoolStoreStats {
  std::uint64_t reads_failed = 0;
  std::uint64_t writes_failed = 0;  // each one retried while still master
  std::uint64_t writes_acknowledged = 0;
  std::uint64_t local_copy_failures = 0;
};

class PoolStore {
 public:
  using LoadCallback = std::function<void(LoadOutcome)>;
  using OutcomeCallback = std::function<void(StoreOutcome)>;
  using SnapshotListener =
      std::function<void(const std::shared_ptr<const pool::Database>&, pool::Generation)>;

  // `worker` runs on `executor`'s thread and must outlive the store. The
  // area's size must be a valid log geometry with 4096-byte blocks (checked).
  PoolStore(asio::any_io_executor executor, io::StorageWorker& worker, PoolStoreSettings settings);
  PoolStore(const PoolStore&) = delete;
  PoolStore& operator=(const PoolStore&) = delete;

  // Reads the area and the local copy and keeps the newest valid generation
  // (never going back from the current snapshot). Errors: the area cannot be
  // read, holds another pool's database, or no database exists anywhere. A
  // newer database than the local copy is saved as the local copy.
  void load(LoadCallback done);
  // load() for a slave, without a callback: errors are logged. Does nothing
  // while master (the writer's database is the newest).
  void refresh();

  // Becomes the writer: reads the area, starts from the newest database, and
  // writes and acknowledges the take-over snapshot (this host recorded as
  // master) before `done` succeeds. Failed reads and writes are retried.
  // Fails when there is no database, it belongs to another pool, or this
  // host is not in it; stop_being_master() fails it too. Only while not
  // master (checked).
  void become_master(pool::MasterToken token, OutcomeCallback done);
  // Persists the changes of one request in order, after every earlier
  // request, and calls `done` once all of them are durable. The whole request
  // is checked against the database first: if any change is refused, none is
  // written. Fails at once when this host is not master (or becoming it).
  void persist(std::vector<pool::Change> changes, OutcomeCallback done);
  // Drops the writer. The take-over and every queued request fail with an
  // error saying so; a write already on the device may still land.
  void stop_being_master();

  // Called on this thread whenever the snapshot changes. The local copy is
  // saved on a thread of its own and may land a little later.
  void set_snapshot_listener(SnapshotListener listener) { listener_ = std::move(listener); }

  // The newest database this host knows; null before the first load.
  std::shared_ptr<const pool::Database> database() const { return database_; }
  pool::Generation generation() const { return generation_; }
  bool is_master() const { return role_ == Role::kMaster; }
  const std::filesystem::path& local_copy_file() const { return local_copy_file_; }
  const PoolStoreStats& stats() const { return stats_; }

 private:
  enum class Role { kSlave, kTakingOver, kMaster };

  struct Request {
    std::vector<pool::Change> changes;
    OutcomeCallback done;
    std::size_t next = 0;  // the first change not yet durable
    bool checked = false;  // the whole request was checked against the database
  };

  // The newest database of the area, the local copy and the snapshot, or
  // why there is none.
  struct Candidate {
    std::optional<pool::Snapshot> snapshot;  // newer than the snapshot; none: keep the snapshot
    std::string source;
    std::string error;
  };

  using Handler = std::function<void()>;

  void read_area(std::function<void(io::StorageResult)> done);
  void write_area(std::vector<pool::AreaWrite> writes, std::function<void(io::StorageResult)> done);
  // Runs `handler` after the retry delay unless the term changed meanwhile.
  void retry_later(Handler handler);

  Candidate choose_newest(const io::StorageResult& read, pool::RecoveredLog* recovered);
  void finish_load(const io::StorageResult& read, const LoadCallback& done);
  void take_over_read();
  void take_over_write();
  // Back to slave: the writer is dropped, the take-over and every queued
  // request fail with `why`.
  void drop_master_role(const std::string& why);
  void pump();
  bool check_request(Request& request);
  void on_change_written(std::uint64_t term, pool::Generation generation, std::size_t writes,
                         const io::StorageResult& result);
  void publish(pool::Snapshot snapshot);
  // Queues the snapshot for the local copy when the file is older.
  void save_local_copy_if_stale();
  void on_local_copy_saved(const LocalCopySaveOutcome& outcome);
  void post(Handler handler);

  asio::any_io_executor executor_;
  io::StorageWorker& worker_;
  PoolStoreSettings settings_;
  pool::LogGeometry geometry_;
  std::filesystem::path local_copy_file_;
  // Callbacks posted to the loop hold a weak reference: they do nothing once
  // the store is gone.
  std::shared_ptr<PoolStore*> self_;

  std::shared_ptr<const pool::Database> database_;
  pool::Generation generation_ = 0;
  pool::Generation local_copy_generation_ = 0;  // of the local copy last read or saved
  SnapshotListener listener_;

  Role role_ = Role::kSlave;
  // Changes on every become_master() and stop_being_master(): completions
  // of an earlier term are ignored.
  std::uint64_t term_ = 0;
  std::optional<pool::MasterToken> token_;
  OutcomeCallback take_over_done_;
  std::optional<pool::MetadataLogWriter> writer_;
  std::deque<Request> queue_;
  bool write_in_flight_ = false;
  bool retry_pending_ = false;
  bool refresh_in_flight_ = false;
  bool refresh_again_ = false;
  // After self_: its reports are posted through it, and its destructor
  // (which finishes the last save) runs while self_ still exists.
  LocalCopySaver local_copy_saver_;
  asio::steady_timer retry_timer_;
  std::uint64_t next_operation_id_ = 1;
  PoolStoreStats stats_;
};

}  // namespace poolha::daemon
