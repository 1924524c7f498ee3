#include "localpool/interrupt.h"

#include <signal.h>

#include <atomic>

namespace poolha::localpool {
namespace {

std::atomic<bool> interrupted{false};

extern "C" void note_interrupt(int) {
  interrupted.store(true);
}

}  // namespace

struct InterruptHandler::Saved {
  struct sigaction int_action {};
  struct sigaction term_action {};
};

bool interrupt_requested() {
  return interrupted.load();
}

void throw_if_interrupted() {
  if (interrupt_requested()) throw Interrupted();
}

InterruptHandler::InterruptHandler() : saved_(std::make_unique<Saved>()) {
  interrupted.store(false);
  struct sigaction action {};
  action.sa_handler = note_interrupt;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGINT, &action, &saved_->int_action);
  ::sigaction(SIGTERM, &action, &saved_->term_action);
}

InterruptHandler::~InterruptHandler() {
  ::sigaction(SIGINT, &saved_->int_action, nullptr);
  ::sigaction(SIGTERM, &saved_->term_action, nullptr);
}

}  // namespace poolha::localpool
