// Runs device operations on a dedicated thread, one at a time in submission
// order, so a slow or hung disk never blocks the daemon's event loop.
//
// Every operation has a deadline (submission time + timeout). Its completion
// is posted to the given executor, with the result or the error:
//   - done in time: the result, when the device call returns;
//   - still queued at its deadline: failed at the deadline, never performed;
//   - still running at its deadline: failed ("timed out") at the deadline.
//     The device is then hung: everything queued and everything submitted
//     until the stuck call returns fails at once ("device hung since ..."),
//     and hung_since() says since when. When the call finally returns, its
//     late result is dropped and the worker resumes.
// The membership engine sees these as storage failures; its own rules decide
// when missing access means fencing.
//
// Threading: submit(), the accessors and the destructor are called on the
// executor's thread; completions run there too. Only device calls run on the
// worker thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <asio/any_io_executor.hpp>

#include "common/time.h"
#include "io/block_device.h"
#include "io/monotonic_clock.h"

namespace poolha::io {

struct StorageResult {
  std::uint64_t id = 0;
  bool ok = false;
  std::vector<std::uint8_t> bytes;  // what a read returned (when ok)
  std::string error;                // why it failed (when !ok)
  // Steps (writes of a list) durably completed before it returned or timed
  // out; for pool::MetadataLogWriter::abandon. A step in flight at a timeout
  // may still land afterwards.
  std::size_t steps_completed = 0;
};

// Device work for one operation. `run` executes on the worker thread; it
// throws (IoError or any std::exception) to fail, and counts the steps it has
// completed in `steps_completed`.
struct StorageJob {
  std::string description;  // for messages, e.g. "statefile read"
  std::function<std::vector<std::uint8_t>(BlockDevice& device,
                                          std::atomic<std::size_t>& steps_completed)>
      run;
};

using StorageCompletion = std::function<void(StorageResult)>;

namespace detail {
struct StorageWorkerState;  // shared by the worker, its thread and pending handlers
}

struct StorageWorkerStats {
  std::uint64_t succeeded = 0;
  std::uint64_t failed = 0;        // the device call failed
  std::uint64_t timed_out = 0;     // reached the deadline, queued or running
  std::uint64_t failed_fast = 0;   // refused because the device was hung
  std::uint64_t late_returns = 0;  // stuck calls that eventually returned
};

class StorageWorker {
 public:
  // `clock` timestamps hung_since(); it must outlive the worker.
  StorageWorker(asio::any_io_executor executor, std::shared_ptr<BlockDevice> device,
                const Clock& clock);
  // Drops every pending completion. If a device call is in progress the
  // thread is left to finish it on its own (it holds the device) rather than
  // blocking here on a hung disk.
  ~StorageWorker();
  StorageWorker(const StorageWorker&) = delete;
  StorageWorker& operator=(const StorageWorker&) = delete;

  // Queues `job`; `done` is posted with `id` when it completes, fails or
  // times out, `timeout` after this call at the latest.
  void submit(std::uint64_t id, Duration timeout, StorageJob job, StorageCompletion done);

  // When the device call that is past its deadline started; empty while the
  // device answers.
  std::optional<TimePoint> hung_since() const;
  StorageWorkerStats stats() const;
  const BlockDevice& device() const { return *device_; }

 private:
  std::shared_ptr<BlockDevice> device_;
  std::shared_ptr<detail::StorageWorkerState> state_;
};

}  // namespace poolha::io
