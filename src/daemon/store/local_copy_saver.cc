#include "daemon/store/local_copy_saver.h"

#include <exception>
#include <utility>

#include "common/check.h"

namespace poolha::daemon {

LocalCopySaver::LocalCopySaver(Writer writer, Reporter reporter)
    : writer_(std::move(writer)), reporter_(std::move(reporter)), thread_([this] { run(); }) {
  POOLHA_CHECK(writer_ != nullptr && reporter_ != nullptr, "the saver has a writer and a reporter");
}

LocalCopySaver::~LocalCopySaver() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void LocalCopySaver::save(std::shared_ptr<const pool::Database> database,
                          pool::Generation generation) {
  POOLHA_CHECK(database != nullptr, "a saved local copy holds a database");
  {
    const std::lock_guard lock(mutex_);
    POOLHA_CHECK(!stopping_, "no save is queued while the saver stops");
    if (generation <= newest_queued_) return;
    newest_queued_ = generation;
    pending_ = Pending{std::move(database), generation};
  }
  wake_.notify_one();
}

pool::Generation LocalCopySaver::newest_queued() const {
  const std::lock_guard lock(mutex_);
  return newest_queued_;
}

void LocalCopySaver::run() {
  for (;;) {
    Pending next;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return pending_.has_value() || stopping_; });
      if (!pending_) return;  // stopping, with nothing left to save
      next = std::move(*pending_);
      pending_.reset();
    }
    LocalCopySaveOutcome outcome;
    outcome.generation = next.generation;
    try {
      writer_(*next.database, next.generation);
    } catch (const std::exception& error) {
      outcome.error = error.what();
    }
    {
      const std::lock_guard lock(mutex_);
      if (outcome.ok()) {
        saved_ = next.generation;
      } else if (!pending_) {
        // Nothing newer is waiting: the next save of this generation is
        // taken, so that a later call can retry it.
        newest_queued_ = saved_;
      }
    }
    reporter_(outcome);
  }
}

}  // namespace poolha::daemon
