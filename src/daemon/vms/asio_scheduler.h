// vm::Scheduler on the daemon's event loop: lets a driver that completes its
// operations later (the simulated hypervisor, on a host without a real one)
// run that work on asio timers, with `now` from the daemon's clock.
#pragma once

#include <asio.hpp>

#include <cstdint>
#include <functional>
#include <memory>

#include "io/monotonic_clock.h"
#include "vm/scheduler.h"

namespace poolha::daemon {

class AsioScheduler final : public vm::Scheduler {
 public:
  AsioScheduler(asio::any_io_executor loop, const io::Clock& clock);
  // Work still waiting is dropped.
  ~AsioScheduler() override = default;
  AsioScheduler(const AsioScheduler&) = delete;
  AsioScheduler& operator=(const AsioScheduler&) = delete;

  std::int64_t now_us() const override;
  void after(Duration delay, std::function<void()> work) override;

 private:
  asio::any_io_executor loop_;
  const io::Clock& clock_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);  // pending work runs only while it lives
};

}  // namespace poolha::daemon
