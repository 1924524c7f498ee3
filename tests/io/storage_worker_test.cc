// StorageWorker: operations run in order off the event loop; a device that
// stops answering times the operation out at its deadline, makes later ones
// fail at once, and the worker recovers when the device comes back.
#include "io/storage_worker.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <thread>

#include <asio/io_context.hpp>

#include "io/storage_jobs.h"
#include "memory_block_device.h"

namespace poolha::io {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Bytes = std::vector<std::uint8_t>;
using testing::MemoryBlockDevice;

struct Delivery {
  StorageResult result;
  std::thread::id thread;
  std::chrono::steady_clock::time_point at;
};

StorageJob write_job(std::uint64_t offset, Bytes bytes) {
  return StorageJob{"test write", [offset, bytes](BlockDevice& device, auto& steps) {
                      device.write(offset, bytes);
                      ++steps;
                      return Bytes{};
                    }};
}

StorageJob read_job(std::uint64_t offset, std::size_t length) {
  return StorageJob{"test read", [offset, length](BlockDevice& device, auto& steps) {
                      Bytes bytes = device.read(offset, length);
                      ++steps;
                      return bytes;
                    }};
}

class StorageWorkerTest : public ::testing::Test {
 protected:
  StorageCompletion record() {
    return [this](StorageResult result) {
      deliveries_.push_back(
          {std::move(result), std::this_thread::get_id(), std::chrono::steady_clock::now()});
    };
  }

  // Runs the io_context until `done()` or a generous limit.
  template <typename Done>
  void run_until(Done done) {
    const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done() && std::chrono::steady_clock::now() < limit) {
      io_.restart();
      io_.run_for(std::chrono::milliseconds(5));
    }
  }
  void run_for(std::chrono::milliseconds duration) {
    io_.restart();
    io_.run_for(duration);
  }

  asio::io_context io_;
  MonotonicClock clock_;
  std::shared_ptr<MemoryBlockDevice> device_ = std::make_shared<MemoryBlockDevice>(64 * 1024);
  std::vector<Delivery> deliveries_;
};

TEST_F(StorageWorkerTest, RunsOperationsInOrderAndPostsCompletionsToTheLoop) {
  StorageWorker worker(io_.get_executor(), device_, clock_);
  worker.submit(1, 1s, write_job(0, Bytes(4096, 1)), record());
  worker.submit(2, 1s, write_job(4096, Bytes(4096, 2)), record());
  worker.submit(3, 1s, read_job(0, 8192), record());
  worker.submit(4, 1s, write_job(0, Bytes(4096, 3)), record());
  worker.submit(5, 1s, read_job(0, 4096), record());
  run_until([&] { return deliveries_.size() == 5; });

  ASSERT_EQ(deliveries_.size(), 5u);
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(deliveries_[i].result.id, i + 1);
    EXPECT_TRUE(deliveries_[i].result.ok) << deliveries_[i].result.error;
    EXPECT_EQ(deliveries_[i].thread, std::this_thread::get_id());
  }
  Bytes expected(4096, 1);
  expected.resize(8192, 2);
  EXPECT_EQ(deliveries_[2].result.bytes, expected);  // both earlier writes, not the later one
  EXPECT_EQ(deliveries_[4].result.bytes, Bytes(4096, 3));
  EXPECT_THAT(device_->calls(), ElementsAre("write 0+4096", "write 4096+4096", "read 0+8192",
                                            "write 0+4096", "read 0+4096"));
  EXPECT_EQ(worker.stats().succeeded, 5u);
  EXPECT_FALSE(worker.hung_since());
}

TEST_F(StorageWorkerTest, DeviceErrorsAreReportedAsFailures) {
  StorageWorker worker(io_.get_executor(), device_, clock_);
  worker.submit(1, 1s, write_job(100, Bytes(4096, 1)), record());  // misaligned
  device_->fail_writes(true);
  run_until([&] { return deliveries_.size() == 1; });
  worker.submit(2, 1s, write_job(0, Bytes(4096, 1)), record());
  run_until([&] { return deliveries_.size() == 2; });

  ASSERT_EQ(deliveries_.size(), 2u);
  EXPECT_FALSE(deliveries_[0].result.ok);
  EXPECT_THAT(deliveries_[0].result.error, HasSubstr("test write failed"));
  EXPECT_THAT(deliveries_[0].result.error, HasSubstr("multiples of 4096"));
  EXPECT_FALSE(deliveries_[1].result.ok);
  EXPECT_THAT(deliveries_[1].result.error, HasSubstr("injected write failure"));
  EXPECT_EQ(worker.stats().failed, 2u);
  EXPECT_FALSE(worker.hung_since());
}

TEST_F(StorageWorkerTest, HungDeviceTimesOutFailsFastAndRecovers) {
  StorageWorker worker(io_.get_executor(), device_, clock_);
  device_->hold();
  const TimePoint before = clock_.now();
  const auto submitted = std::chrono::steady_clock::now();
  worker.submit(1, 200ms, write_job(0, Bytes(4096, 7)), record());
  worker.submit(2, 30s, read_job(0, 4096), record());  // queued behind the stuck write
  run_until([&] { return deliveries_.size() == 2; });

  // The stuck write fails at its deadline; the queued read at once after it,
  // long before its own deadline.
  ASSERT_EQ(deliveries_.size(), 2u);
  EXPECT_EQ(deliveries_[0].result.id, 1u);
  EXPECT_FALSE(deliveries_[0].result.ok);
  EXPECT_THAT(deliveries_[0].result.error, HasSubstr("test write timed out after 200 ms"));
  EXPECT_GE(deliveries_[0].at - submitted, std::chrono::milliseconds(200));
  EXPECT_EQ(deliveries_[1].result.id, 2u);
  EXPECT_FALSE(deliveries_[1].result.ok);
  EXPECT_THAT(deliveries_[1].result.error, HasSubstr("device hung since"));
  EXPECT_THAT(deliveries_[1].result.error, HasSubstr("test write on memory has not returned"));
  EXPECT_LT(deliveries_[1].at - submitted, std::chrono::seconds(30));

  ASSERT_TRUE(worker.hung_since());
  EXPECT_GE(*worker.hung_since(), before);
  EXPECT_LE(*worker.hung_since(), clock_.now());

  // While hung, a new operation fails at once and never reaches the device.
  worker.submit(3, 30s, read_job(0, 4096), record());
  run_until([&] { return deliveries_.size() == 3; });
  ASSERT_EQ(deliveries_.size(), 3u);
  EXPECT_EQ(deliveries_[2].result.id, 3u);
  EXPECT_THAT(deliveries_[2].result.error, HasSubstr("device hung since"));
  EXPECT_THAT(device_->calls(), ElementsAre("write 0+4096"));

  // The device comes back: the stuck call returns, its late result is
  // dropped, and the worker takes new operations again.
  device_->release();
  device_->wait_for_returns(1);
  run_until([&] { return !worker.hung_since(); });
  EXPECT_FALSE(worker.hung_since());
  worker.submit(4, 1s, read_job(0, 4096), record());
  run_until([&] { return deliveries_.size() == 4; });
  run_for(std::chrono::milliseconds(20));  // nothing else arrives

  ASSERT_EQ(deliveries_.size(), 4u);
  EXPECT_EQ(deliveries_[3].result.id, 4u);
  EXPECT_TRUE(deliveries_[3].result.ok) << deliveries_[3].result.error;
  EXPECT_EQ(deliveries_[3].result.bytes, Bytes(4096, 7));  // the stuck write did land
  const StorageWorkerStats stats = worker.stats();
  EXPECT_EQ(stats.timed_out, 1u);
  EXPECT_EQ(stats.failed_fast, 2u);
  EXPECT_EQ(stats.late_returns, 1u);
  EXPECT_EQ(stats.succeeded, 1u);
}

TEST_F(StorageWorkerTest, OperationStillQueuedAtItsDeadlineIsNotPerformed) {
  StorageWorker worker(io_.get_executor(), device_, clock_);
  device_->hold();
  worker.submit(1, 30s, write_job(0, Bytes(4096, 1)), record());  // slow but within its time
  worker.submit(2, 100ms, write_job(4096, Bytes(4096, 2)), record());
  run_until([&] { return deliveries_.size() == 1; });

  ASSERT_EQ(deliveries_.size(), 1u);
  EXPECT_EQ(deliveries_[0].result.id, 2u);
  EXPECT_THAT(deliveries_[0].result.error,
              HasSubstr("timed out after 100 ms waiting for earlier operations; not performed"));
  EXPECT_FALSE(worker.hung_since());  // the running call is not past its own deadline

  device_->release();
  run_until([&] { return deliveries_.size() == 2; });
  ASSERT_EQ(deliveries_.size(), 2u);
  EXPECT_EQ(deliveries_[1].result.id, 1u);
  EXPECT_TRUE(deliveries_[1].result.ok);
  EXPECT_THAT(device_->calls(), ElementsAre("write 0+4096"));
  EXPECT_EQ(device_->contents()[4096], 0);
}

TEST_F(StorageWorkerTest, AreaWritesReportHowManyCompletedBeforeATimeout) {
  StorageWorker worker(io_.get_executor(), device_, clock_);
  const std::vector<pool::AreaWrite> writes{{0, Bytes(4096, 1)}, {8192, Bytes(4096, 2)}};
  device_->hold_after(2);  // the first write and its flush go through; the second write hangs
  worker.submit(1, 200ms, area_writes_job(writes, DeviceRegion{16384, 32768}), record());
  run_until([&] { return deliveries_.size() == 1; });

  ASSERT_EQ(deliveries_.size(), 1u);
  EXPECT_FALSE(deliveries_[0].result.ok);
  EXPECT_THAT(deliveries_[0].result.error, HasSubstr("timed out"));
  EXPECT_EQ(deliveries_[0].result.steps_completed, 1u);
  EXPECT_THAT(device_->calls(), ElementsAre("write 16384+4096", "flush", "write 24576+4096"));
  device_->release();
  device_->wait_for_returns(4);  // the second write and its flush
}

TEST_F(StorageWorkerTest, DestroyingTheWorkerDoesNotWaitForAHungDevice) {
  {
    StorageWorker worker(io_.get_executor(), device_, clock_);
    device_->hold();
    worker.submit(1, 30s, write_job(0, Bytes(4096, 1)), record());
    worker.submit(2, 30s, write_job(4096, Bytes(4096, 1)), record());
    while (device_->calls().empty()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }  // returns although the device call is stuck
  device_->release();
  run_for(std::chrono::milliseconds(50));
  // The left-behind thread finishes the call and lets go of the device.
  const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (device_.use_count() > 1 && std::chrono::steady_clock::now() < limit) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(device_.use_count(), 1);
  EXPECT_TRUE(deliveries_.empty());  // completions are dropped with the worker
  EXPECT_THAT(device_->calls(), ElementsAre("write 0+4096"));
}

}  // namespace
}  // namespace poolha::io
