// A fencer for tests: records what the daemon asks of it and never resets
// the machine.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "fence/watchdog.h"

namespace poolha::daemon::test_support {

class FakeWatchdog final : public fence::Watchdog {
 public:
  std::optional<std::string> check() override { return check_error; }
  void arm(Duration timeout) override {
    armed = true;
    armed_timeout = timeout;
    ++arms;
  }
  void kick() override {
    if (fail_kicks) throw fence::FenceError("fencer connection lost");
    if (!armed) ++kicks_while_disarmed;
    ++kicks;
  }
  void disarm() override {
    armed = false;
    ++disarms;
  }
  void fence_now(const std::string& reason) override { fences.push_back(reason); }

  std::optional<std::string> check_error;  // what check() answers
  bool fail_kicks = false;                 // kick() throws FenceError (the fencer died)
  bool armed = false;
  Duration armed_timeout{};
  int arms = 0;
  int kicks = 0;
  int kicks_while_disarmed = 0;  // a driver bug if ever > 0
  int disarms = 0;
  std::vector<std::string> fences;
};

}  // namespace poolha::daemon::test_support
