// `poolha fencer`: the per-host supervisor that fences on machines without a
// watchdog device. It listens on a Unix stream socket for the daemon (see
// fencer_protocol.h), runs FencerCore on the monotonic clock, and carries out
// its fence orders with carry_out_process_fence. After a fence it keeps
// serving, for the next daemon.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

namespace poolha::fence {

struct FencerOptions {
  std::filesystem::path socket_path = "/run/poolha/fencer.sock";
  std::filesystem::path state_dir = "/var/lib/poolha";        // fence-reason.json
  std::filesystem::path vm_registry_dir = "/run/poolha/vms";  // vm::VmProcessRegistry
  std::string host_name;                                      // empty: the machine's name
  // For a host that is a network namespace: a fence also aborts the
  // namespace's TCP connections, as a machine reset would.
  bool reset_tcp_on_fence = false;
};

class ProcessFencer {
 public:
  // Binds and listens before returning, so a daemon can connect at once. A
  // stale socket file is replaced; a live fencer on the same path is an
  // error. Throws std::system_error or std::runtime_error.
  explicit ProcessFencer(FencerOptions options);
  ~ProcessFencer();
  ProcessFencer(const ProcessFencer&) = delete;
  ProcessFencer& operator=(const ProcessFencer&) = delete;

  // SIGTERM and SIGINT call stop() (for the `poolha fencer` process).
  void stop_on_termination_signals();
  // Serves daemons until stop().
  void run();
  // Safe from any thread. While armed this fences first: a fencer that
  // went away quietly would leave the host without protection.
  void stop();

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace poolha::fence
