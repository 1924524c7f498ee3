#include "daemon/vms/loop_timer.h"

#include <algorithm>

namespace poolha::daemon {

LoopTimer::LoopTimer(asio::any_io_executor loop, const io::Clock& clock)
    : timer_(std::move(loop)), clock_(clock), arming_(std::make_shared<std::uint64_t>(0)) {}

LoopTimer::~LoopTimer() {
  cancel();
}

void LoopTimer::arm_at(TimePoint at, std::function<void()> work) {
  arm_after(at - clock_.now(), std::move(work));
}

void LoopTimer::arm_after(Duration delay, std::function<void()> work) {
  cancel();
  const std::uint64_t arming = *arming_;
  timer_.expires_after(std::max(delay, Duration::zero()));
  timer_.async_wait([state = std::weak_ptr<std::uint64_t>(arming_), arming,
                     work = std::move(work)](const std::error_code& error) {
    const auto current = state.lock();
    if (error || !current || *current != arming) return;
    work();
  });
}

void LoopTimer::cancel() {
  ++*arming_;
  timer_.cancel();
}

}  // namespace poolha::daemon
