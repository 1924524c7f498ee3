// Ctrl-C for long local-pool runs: while an InterruptHandler exists, SIGINT
// and SIGTERM only set a flag, and every wait of the local pool checks it
// and throws Interrupted, so the run unwinds through its normal teardown
// instead of leaving daemons, VMs and namespaces behind.
#pragma once

#include <memory>
#include <stdexcept>

namespace poolha::localpool {

class Interrupted : public std::runtime_error {
 public:
  Interrupted() : std::runtime_error("interrupted") {}
};

// Whether SIGINT or SIGTERM arrived while a handler was installed.
bool interrupt_requested();
// Throws Interrupted when interrupt_requested().
void throw_if_interrupted();

class InterruptHandler {
 public:
  InterruptHandler();   // installs the handlers and clears the flag
  ~InterruptHandler();  // restores the previous handlers
  InterruptHandler(const InterruptHandler&) = delete;
  InterruptHandler& operator=(const InterruptHandler&) = delete;

 private:
  struct Saved;
  std::unique_ptr<Saved> saved_;
};

}  // namespace poolha::localpool
