// One mutex guards the queue, the running operation and the hung state; the
// worker thread holds it only between device calls.
//
// Everything of the executor's side of an operation (its deadline timer and
// completion callback) lives in a ticket that is moved out of the operation
// exactly once, under the mutex, by whichever path delivers it: the worker
// on completion, the deadline handler, the fail-fast path, or the destructor.
// The ticket then travels in a handler posted to the executor, so it is
// never destroyed on the worker thread, even when a stuck call returns after
// the worker (or the io_context) is gone.
#include "io/storage_worker.h"

#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <utility>

#include <fmt/format.h>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>

#include "common/check.h"

namespace poolha::io {

namespace detail {

// The executor's side of an operation.
struct StorageTicket {
  StorageTicket(const asio::any_io_executor& executor,
                std::chrono::steady_clock::time_point deadline, StorageCompletion completion)
      : timer(executor, deadline), done(std::move(completion)) {}

  asio::steady_timer timer;  // fires at the deadline
  StorageCompletion done;
};

// What the worker thread sees of an operation.
struct StorageOperation {
  StorageOperation(std::uint64_t op_id, Duration op_timeout, StorageJob op_job)
      : id(op_id),
        timeout(op_timeout),
        deadline(std::chrono::steady_clock::now() + op_timeout),
        job(std::move(op_job)) {}

  const std::uint64_t id;
  const Duration timeout;
  const std::chrono::steady_clock::time_point deadline;
  StorageJob job;
  std::atomic<std::size_t> steps{0};
  TimePoint started_at{};                 // under the mutex
  std::unique_ptr<StorageTicket> ticket;  // under the mutex; null once delivered
};

struct StorageWorkerState {
  asio::any_io_executor executor;
  std::shared_ptr<BlockDevice> device;
  const Clock* clock = nullptr;
  std::thread thread;

  std::mutex mutex;
  std::condition_variable wake;
  std::deque<std::shared_ptr<StorageOperation>> queue;
  std::shared_ptr<StorageOperation> running;
  std::optional<TimePoint> hung_since;
  std::string hung_description;
  bool stopping = false;  // set on the executor thread, under the mutex
  StorageWorkerStats stats;
};

}  // namespace detail

namespace {

using detail::StorageOperation;
using detail::StorageTicket;
using detail::StorageWorkerState;
using Counter = std::uint64_t StorageWorkerStats::*;

std::string milliseconds(Duration d) {
  return fmt::format("{:g} ms", d.count() / 1000.0);
}

StorageResult failure(const StorageOperation& op, std::string error) {
  StorageResult result;
  result.id = op.id;
  result.error = std::move(error);
  result.steps_completed = op.steps.load();
  return result;
}

std::string not_started_message(const StorageOperation& op) {
  return fmt::format("{} timed out after {} waiting for earlier operations; not performed",
                     op.job.description, milliseconds(op.timeout));
}

// Needs the mutex.
std::string hung_message(const StorageWorkerState& state) {
  const TimePoint since = *state.hung_since;
  return fmt::format("device hung since t={:.3f} s ({:.3f} s ago): {} on {} has not returned",
                     to_seconds(since.time_since_epoch()), to_seconds(state.clock->now() - since),
                     state.hung_description, state.device->name());
}

// Hands `result` to the ticket's callback on the executor, unless the worker
// is gone by then.
void post_delivery(const std::shared_ptr<StorageWorkerState>& state,
                   std::unique_ptr<StorageTicket> ticket, StorageResult result, Counter counter) {
  POOLHA_CHECK(ticket != nullptr, "an operation is delivered twice");
  asio::post(state->executor,
             [state, ticket = std::move(ticket), result = std::move(result), counter]() mutable {
               ticket->timer.cancel();
               if (state->stopping) return;
               {
                 const std::lock_guard lock(state->mutex);
                 ++(state->stats.*counter);
               }
               ticket->done(std::move(result));
             });
}

void on_deadline(const std::shared_ptr<StorageWorkerState>& state,
                 const std::shared_ptr<StorageOperation>& op) {
  const std::lock_guard lock(state->mutex);
  if (state->stopping || !op->ticket) return;  // delivered already
  const auto queued = std::find(state->queue.begin(), state->queue.end(), op);
  if (queued != state->queue.end()) {
    state->queue.erase(queued);
    post_delivery(state, std::move(op->ticket), failure(*op, not_started_message(*op)),
                  &StorageWorkerStats::timed_out);
    return;
  }
  POOLHA_CHECK(state->running == op, "an undelivered operation is neither queued nor running");
  state->hung_since = op->started_at;
  state->hung_description = op->job.description;
  post_delivery(state, std::move(op->ticket),
                failure(*op, fmt::format("{} timed out after {}: the device has not answered and "
                                         "the call is still pending, so whether it took effect "
                                         "is unknown",
                                         op->job.description, milliseconds(op->timeout))),
                &StorageWorkerStats::timed_out);
  const std::string hung = hung_message(*state);
  for (const auto& waiting : state->queue) {
    post_delivery(state, std::move(waiting->ticket), failure(*waiting, hung),
                  &StorageWorkerStats::failed_fast);
  }
  state->queue.clear();
}

StorageResult run_job(StorageOperation& op, BlockDevice& device) {
  StorageResult result;
  result.id = op.id;
  try {
    result.bytes = op.job.run(device, op.steps);
    result.ok = true;
  } catch (const std::exception& e) {
    result.error = fmt::format("{} failed: {}", op.job.description, e.what());
  } catch (...) {
    result.error = fmt::format("{} failed with an unknown exception", op.job.description);
  }
  result.steps_completed = op.steps.load();
  return result;
}

void run_worker(const std::shared_ptr<StorageWorkerState>& state) {
  pthread_setname_np(pthread_self(), "poolha-storage");
  for (;;) {
    std::shared_ptr<StorageOperation> op;
    {
      std::unique_lock lock(state->mutex);
      state->wake.wait(lock, [&] { return state->stopping || !state->queue.empty(); });
      if (state->stopping) return;
      op = std::move(state->queue.front());
      state->queue.pop_front();
      if (std::chrono::steady_clock::now() >= op->deadline) {
        // Its deadline handler has not run yet; fail it without starting.
        post_delivery(state, std::move(op->ticket), failure(*op, not_started_message(*op)),
                      &StorageWorkerStats::timed_out);
        continue;
      }
      op->started_at = state->clock->now();
      state->running = op;
    }

    StorageResult result = run_job(*op, *state->device);

    const std::lock_guard lock(state->mutex);
    state->running.reset();
    if (state->hung_since) {
      // The stuck call is back; it was reported as timed out already.
      state->hung_since.reset();
      state->hung_description.clear();
      ++state->stats.late_returns;
    }
    if (state->stopping) return;
    if (op->ticket) {
      const Counter counter =
          result.ok ? &StorageWorkerStats::succeeded : &StorageWorkerStats::failed;
      post_delivery(state, std::move(op->ticket), std::move(result), counter);
    }
  }
}

}  // namespace

StorageWorker::StorageWorker(asio::any_io_executor executor, std::shared_ptr<BlockDevice> device,
                             const Clock& clock)
    : device_(std::move(device)), state_(std::make_shared<StorageWorkerState>()) {
  state_->executor = std::move(executor);
  state_->device = device_;
  state_->clock = &clock;
  state_->thread = std::thread([state = state_] { run_worker(state); });
}

StorageWorker::~StorageWorker() {
  std::vector<std::unique_ptr<StorageTicket>> dropped;
  bool busy = false;
  {
    const std::lock_guard lock(state_->mutex);
    state_->stopping = true;
    for (const auto& op : state_->queue) dropped.push_back(std::move(op->ticket));
    state_->queue.clear();
    if (state_->running) {
      dropped.push_back(std::move(state_->running->ticket));
      busy = true;
    }
  }
  state_->wake.notify_all();
  for (const auto& ticket : dropped) {
    if (ticket) ticket->timer.cancel();
  }
  if (busy) {
    state_->thread.detach();  // it owns the state and exits when the call returns
  } else {
    state_->thread.join();
  }
}

void StorageWorker::submit(std::uint64_t id, Duration timeout, StorageJob job,
                           StorageCompletion done) {
  auto op = std::make_shared<StorageOperation>(id, timeout, std::move(job));
  op->ticket = std::make_unique<StorageTicket>(state_->executor, op->deadline, std::move(done));
  {
    const std::lock_guard lock(state_->mutex);
    if (state_->hung_since) {
      post_delivery(state_, std::move(op->ticket), failure(*op, hung_message(*state_)),
                    &StorageWorkerStats::failed_fast);
      return;
    }
    op->ticket->timer.async_wait([state = state_, op](const asio::error_code& ec) {
      if (!ec) on_deadline(state, op);
    });
    state_->queue.push_back(op);
  }
  state_->wake.notify_one();
}

std::optional<TimePoint> StorageWorker::hung_since() const {
  const std::lock_guard lock(state_->mutex);
  return state_->hung_since;
}

StorageWorkerStats StorageWorker::stats() const {
  const std::lock_guard lock(state_->mutex);
  return state_->stats;
}

}  // namespace poolha::io
