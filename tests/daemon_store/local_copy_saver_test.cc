// LocalCopySaver: saves run off the caller's thread, only the newest waiting
// generation is written, the file never goes back, a failure is reported and
// can be retried, and the destructor finishes the last save.
#include "daemon/store/local_copy_saver.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "store_test_support.h"

namespace poolha::daemon {
namespace {

using namespace std::chrono_literals;

// A writer that records what it wrote, can be held inside a write until
// released, and can fail a given generation once.
class ScriptedWriter {
 public:
  void write(const pool::Database&, pool::Generation generation) {
    std::unique_lock lock(mutex_);
    entered_.push_back(generation);
    changed_.notify_all();
    changed_.wait(lock, [&] { return !holding_; });
    if (generation == fail_once_) {
      fail_once_ = 0;
      throw std::runtime_error("disk full");
    }
    written_.push_back(generation);
  }

  void report(const LocalCopySaveOutcome& outcome) {
    const std::lock_guard lock(mutex_);
    reports_.push_back(outcome);
    changed_.notify_all();
  }

  void hold() { set_holding(true); }
  void release() { set_holding(false); }
  void fail_once(pool::Generation generation) {
    const std::lock_guard lock(mutex_);
    fail_once_ = generation;
  }

  // Waits (bounded) until `count` writes have started.
  bool wait_entered(std::size_t count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 10s, [&] { return entered_.size() >= count; });
  }
  bool wait_reports(std::size_t count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 10s, [&] { return reports_.size() >= count; });
  }

  std::vector<pool::Generation> written() const {
    const std::lock_guard lock(mutex_);
    return written_;
  }
  std::vector<LocalCopySaveOutcome> reports() const {
    const std::lock_guard lock(mutex_);
    return reports_;
  }

  LocalCopySaver::Writer writer() {
    return [this](const pool::Database& database, pool::Generation generation) {
      write(database, generation);
    };
  }
  LocalCopySaver::Reporter reporter() {
    return [this](const LocalCopySaveOutcome& outcome) { report(outcome); };
  }

 private:
  void set_holding(bool holding) {
    const std::lock_guard lock(mutex_);
    holding_ = holding;
    changed_.notify_all();
  }

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  bool holding_ = false;
  pool::Generation fail_once_ = 0;
  std::vector<pool::Generation> entered_;
  std::vector<pool::Generation> written_;
  std::vector<LocalCopySaveOutcome> reports_;
};

std::shared_ptr<const pool::Database> a_database() {
  return std::make_shared<const pool::Database>(testing::kPoolUuid);
}

TEST(LocalCopySaverTest, WritesOnlyTheNewestWaitingGenerationAndNeverAnOlderOne) {
  ScriptedWriter script;
  LocalCopySaver saver(script.writer(), script.reporter());

  script.hold();
  saver.save(a_database(), 1);
  ASSERT_TRUE(script.wait_entered(1));
  // The writer is stuck in generation 1; these calls return at once.
  saver.save(a_database(), 2);
  saver.save(a_database(), 3);
  saver.save(a_database(), 2);  // older than one queued: ignored
  saver.save(a_database(), 3);  // already queued: ignored
  EXPECT_EQ(saver.newest_queued(), 3u);
  script.release();

  ASSERT_TRUE(script.wait_reports(2));
  EXPECT_EQ(script.written(), (std::vector<pool::Generation>{1, 3}));
  saver.save(a_database(), 3);  // already on disk: ignored
  saver.save(a_database(), 1);  // older than the file: ignored
  saver.save(a_database(), 4);
  ASSERT_TRUE(script.wait_reports(3));
  EXPECT_EQ(script.written(), (std::vector<pool::Generation>{1, 3, 4}));
  for (const LocalCopySaveOutcome& report : script.reports()) EXPECT_TRUE(report.ok());
  EXPECT_EQ(script.reports()[1].generation, 3u);
}

TEST(LocalCopySaverTest, AFailedSaveIsReportedAndTheSameGenerationCanBeQueuedAgain) {
  ScriptedWriter script;
  script.fail_once(7);
  LocalCopySaver saver(script.writer(), script.reporter());

  saver.save(a_database(), 5);
  ASSERT_TRUE(script.wait_reports(1));
  saver.save(a_database(), 7);
  ASSERT_TRUE(script.wait_reports(2));
  const LocalCopySaveOutcome failed = script.reports()[1];
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(failed.generation, 7u);
  EXPECT_EQ(failed.error, "disk full");
  // Back to what is on disk, so a retry of 7 is taken.
  EXPECT_EQ(saver.newest_queued(), 5u);

  saver.save(a_database(), 7);
  ASSERT_TRUE(script.wait_reports(3));
  EXPECT_TRUE(script.reports()[2].ok());
  EXPECT_EQ(script.written(), (std::vector<pool::Generation>{5, 7}));
}

TEST(LocalCopySaverTest, TheDestructorFinishesTheSaveStillWaiting) {
  ScriptedWriter script;
  {
    LocalCopySaver saver(script.writer(), script.reporter());
    script.hold();
    saver.save(a_database(), 1);
    ASSERT_TRUE(script.wait_entered(1));
    saver.save(a_database(), 2);
    script.release();
  }
  EXPECT_EQ(script.written(), (std::vector<pool::Generation>{1, 2}));
  EXPECT_EQ(script.reports().size(), 2u);
}

}  // namespace
}  // namespace poolha::daemon
