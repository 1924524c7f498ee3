#include "vm/libvirt/libvirt_event_loop.h"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <spdlog/spdlog.h>

#include <exception>
#include <mutex>

#include "vm/libvirt/libvirt_error.h"

namespace poolha::vm::libvirt {
namespace {

std::mutex loop_mutex;
std::weak_ptr<EventLoop> current_loop;

void ignore_error(void*, virErrorPtr) {}

void register_default_event_loop() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (virInitialize() != 0) throw last_libvirt_error("cannot initialise libvirt");
    virSetErrorFunc(nullptr, ignore_error);
    if (virEventRegisterDefaultImpl() != 0) {
      throw last_libvirt_error("cannot register libvirt's event loop");
    }
  });
}

// A zero timeout wakes the loop out of its wait so it sees quit_.
void wake_once(int timer, void*) {
  virEventRemoveTimeout(timer);
}

}  // namespace

std::shared_ptr<EventLoop> EventLoop::acquire() {
  std::lock_guard lock(loop_mutex);
  if (auto loop = current_loop.lock()) return loop;
  register_default_event_loop();
  std::shared_ptr<EventLoop> loop(new EventLoop(), &EventLoop::release);
  current_loop = loop;
  return loop;
}

void EventLoop::release(EventLoop* loop) {
  std::lock_guard lock(loop_mutex);
  delete loop;
}

EventLoop::EventLoop() {
  thread_ = std::thread([this] {
    while (!quit_.load()) virEventRunDefaultImpl();
  });
}

EventLoop::~EventLoop() {
  quit_.store(true);
  if (virEventAddTimeout(0, wake_once, nullptr, nullptr) < 0) {
    // Without the wake-up the join below could wait forever.
    spdlog::critical("libvirt: cannot wake the event loop thread to stop it: {}",
                     virGetLastErrorMessage());
    std::terminate();
  }
  thread_.join();
}

}  // namespace poolha::vm::libvirt
