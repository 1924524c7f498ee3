// Helpers for tests that run an asio event loop on the test's thread.
#pragma once

#include <asio.hpp>

#include <chrono>
#include <functional>

namespace poolha::daemon::test_support {

// Runs the loop until `done` holds or `limit` passed; returns `done()`.
inline bool run_until(asio::io_context& io, const std::function<bool()>& done,
                      std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  // Keeps run_for waiting (not spinning) while nothing is queued.
  const auto guard = asio::make_work_guard(io);
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    io.restart();
    io.run_for(std::chrono::milliseconds(5));
  }
  return true;
}

// Runs the loop for `span`, whatever happens.
inline void run_for(asio::io_context& io, std::chrono::milliseconds span) {
  const auto guard = asio::make_work_guard(io);
  const auto deadline = std::chrono::steady_clock::now() + span;
  while (std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_for(std::chrono::milliseconds(5));
  }
}

}  // namespace poolha::daemon::test_support
