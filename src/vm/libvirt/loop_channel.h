// Work handed to an io_context from other threads until the channel closes;
// work that has not run by then never runs. The driver's completions reach
// the owner's loop this way, and libvirt's notices reach the driver's worker,
// without either outliving the object they call into.
#pragma once

#include <asio/io_context.hpp>
#include <asio/post.hpp>

#include <functional>
#include <memory>
#include <mutex>

namespace poolha::vm::libvirt {

class LoopChannel : public std::enable_shared_from_this<LoopChannel> {
 public:
  explicit LoopChannel(asio::io_context& loop) : loop_(loop) {}

  // From any thread.
  void post(std::function<void()> work) {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    asio::post(loop_, [self = shared_from_this(), work = std::move(work)] {
      if (self->is_open()) work();
    });
  }

  // From any thread: posted work that has not started by now never runs.
  void close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }

 private:
  bool is_open() const {
    std::lock_guard lock(mutex_);
    return !closed_;
  }

  asio::io_context& loop_;
  mutable std::mutex mutex_;
  bool closed_ = false;
};

}  // namespace poolha::vm::libvirt
