#include "daemon/vms/asio_scheduler.h"

#include <algorithm>

namespace poolha::daemon {

AsioScheduler::AsioScheduler(asio::any_io_executor loop, const io::Clock& clock)
    : loop_(std::move(loop)), clock_(clock) {}

std::int64_t AsioScheduler::now_us() const {
  return to_us(clock_.now());
}

void AsioScheduler::after(Duration delay, std::function<void()> work) {
  auto timer = std::make_shared<asio::steady_timer>(loop_, std::max(delay, Duration::zero()));
  timer->async_wait([timer, alive = std::weak_ptr<int>(alive_),
                     work = std::move(work)](const std::error_code& error) {
    if (error || !alive.lock()) return;
    work();
  });
}

}  // namespace poolha::daemon
