// The daemon's side of `poolha fencer`: a Watchdog that forwards arm, kick,
// disarm and fence over the fencer's Unix socket (fencer_protocol.h) and
// waits for each answer. The connection is the session: if it closes while
// armed, the fencer fences, so this never reconnects behind the caller's
// back; a lost connection makes the next call throw FenceError.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "fence/fencer_protocol.h"
#include "fence/watchdog.h"

namespace poolha::fence {

struct ProcessFencerClientOptions {
  std::filesystem::path socket_path = "/run/poolha/fencer.sock";
  Duration reply_timeout = std::chrono::seconds(2);   // arm, kick, disarm, status
  Duration fence_timeout = std::chrono::seconds(10);  // the fencer writes and kills first
};

class ProcessFencerClient : public Watchdog {
 public:
  explicit ProcessFencerClient(ProcessFencerClientOptions options);
  // Destroying an armed client closes the connection, which fences the host
  // as a watchdog device closed without the magic character would.
  ~ProcessFencerClient() override;

  // Connects when not connected and asks for the fencer's status.
  std::optional<std::string> check() override;
  // Connects when not connected. Whole milliseconds, rounded down so the
  // fence never comes later than asked.
  void arm(Duration timeout) override;
  void kick() override;
  void disarm() override;
  // Returns only if the fencer reports the fence done and this process is
  // still alive (the fencer could not kill it).
  void fence_now(const std::string& reason) override;

  class Connection;

 private:
  // One exchange; a transport failure ends the connection and throws.
  FencerReply request(const FencerRequest& request, Duration timeout);

  ProcessFencerClientOptions options_;
  std::unique_ptr<Connection> connection_;
  bool armed_ = false;
  std::string lost_;  // why the last connection ended, for the next error
};

}  // namespace poolha::fence
