// Saves the local copy of the pool database on a thread of its own, so that
// the two fsyncs of each save (tens of ms on a busy disk, hundreds under
// load) never hold up the event loop that sends heartbeats and kicks the
// watchdog.
//
// Only the newest database matters: a save asked for while another one runs
// replaces any save still waiting, and a generation older than one already
// handed over is ignored, so the file never goes back in time. A failed save
// is reported, and the same generation can be queued again to retry it. The
// destructor finishes the save still waiting before it returns, so a clean
// stop leaves the newest copy on disk.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "pool/database.h"
#include "pool/generation.h"

namespace poolha::daemon {

// What one save did; reported on the saver's thread.
struct LocalCopySaveOutcome {
  pool::Generation generation = 0;
  std::string error;  // empty when the copy of `generation` is on disk

  bool ok() const { return error.empty(); }
};

class LocalCopySaver {
 public:
  // Writes one database; throws on failure (the message is reported).
  using Writer = std::function<void(const pool::Database&, pool::Generation)>;
  // Runs on the saver's thread after each save, in order of generation.
  using Reporter = std::function<void(const LocalCopySaveOutcome&)>;

  LocalCopySaver(Writer writer, Reporter reporter);
  // Finishes the save waiting, if any, then stops the thread.
  ~LocalCopySaver();
  LocalCopySaver(const LocalCopySaver&) = delete;
  LocalCopySaver& operator=(const LocalCopySaver&) = delete;

  // Queues `database` at `generation` unless a generation at least as new
  // was already queued. Never blocks on the disk.
  void save(std::shared_ptr<const pool::Database> database, pool::Generation generation);

  // The newest generation queued so far (0 before the first).
  pool::Generation newest_queued() const;

 private:
  struct Pending {
    std::shared_ptr<const pool::Database> database;
    pool::Generation generation = 0;
  };

  void run();

  Writer writer_;
  Reporter reporter_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::optional<Pending> pending_;
  pool::Generation newest_queued_ = 0;
  pool::Generation saved_ = 0;  // the newest generation this saver wrote
  bool stopping_ = false;
  std::thread thread_;  // last: starts once every member above exists
};

}  // namespace poolha::daemon
