// libvirt delivers domain events and notices of closed connections only from
// its event loop, and that loop is process-wide: registered once, run by one
// thread. Every driver holds a share of it; the thread runs while any share
// is alive.
#pragma once

#include <atomic>
#include <memory>
#include <thread>

namespace poolha::vm::libvirt {

class EventLoop {
 public:
  // Also silences libvirt's default error printing, once per process: the
  // drivers report libvirt's messages themselves, in their results and logs.
  static std::shared_ptr<EventLoop> acquire();

  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

 private:
  EventLoop();
  ~EventLoop();
  // The last share's release stops the thread while holding the lock that
  // acquire() takes, so two loop threads never run at once.
  static void release(EventLoop* loop);

  std::atomic<bool> quit_{false};
  std::thread thread_;
};

}  // namespace poolha::vm::libvirt
