// Deferred work on the owner's event loop: how a simulated (or real)
// environment lets a driver complete an operation later.
#pragma once

#include <cstdint>
#include <functional>

#include "common/time.h"

namespace poolha::vm {

class Scheduler {
 public:
  virtual ~Scheduler() = default;
  virtual std::int64_t now_us() const = 0;
  virtual void after(Duration delay, std::function<void()> work) = 0;
};

}  // namespace poolha::vm
