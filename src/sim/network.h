// The management network: one directed link per ordered host pair, each host's
// NIC, and the switch they all hang off. A packet goes through when its link,
// both NICs and the switch are up and it is not lost; it then arrives after
// the link's delay plus jitter.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "common/host_set.h"
#include "common/time.h"
#include "sim/prng.h"

namespace poolha::sim {

struct LinkProperties {
  bool up = true;
  std::uint32_t loss_ppm = 0;  // parts per million of packets dropped
  Duration delay = 500us;
  Duration jitter = 200us;  // uniform in [-jitter, +jitter]
};

struct NetworkCounters {
  std::uint64_t sent = 0;
  std::uint64_t delivered_or_in_flight = 0;
  std::uint64_t dropped_down = 0;
  std::uint64_t dropped_loss = 0;
};

class Network {
 public:
  explicit Network(std::uint16_t host_count, LinkProperties defaults = {});

  std::uint16_t host_count() const { return host_count_; }
  LinkProperties& link(HostIndex from, HostIndex to);
  const LinkProperties& link(HostIndex from, HostIndex to) const;

  void set_nic_up(HostIndex h, bool up) { nic_up_[h] = up; }
  bool nic_up(HostIndex h) const { return nic_up_[h]; }
  void set_switch_up(bool up) { switch_up_ = up; }
  bool switch_up() const { return switch_up_; }
  // Loss applied on top of every link's own loss.
  void set_global_loss_ppm(std::uint32_t ppm) { global_loss_ppm_ = ppm; }
  std::uint32_t global_loss_ppm() const { return global_loss_ppm_; }

  // Both directions between a and b.
  void set_pair_up(HostIndex a, HostIndex b, bool up);
  // Every link, NIC and the switch back up, no loss; delays are kept.
  void heal();

  // True when a packet from -> to can get through right now (loss aside).
  bool path_up(HostIndex from, HostIndex to) const;
  // Decides one packet's fate: its delivery delay, or nullopt when dropped.
  std::optional<Duration> route(HostIndex from, HostIndex to, Prng& prng);

  const NetworkCounters& counters() const { return counters_; }

 private:
  std::uint16_t host_count_;
  std::vector<LinkProperties> links_;  // host_count * host_count, row = sender
  std::vector<bool> nic_up_;
  bool switch_up_ = true;
  std::uint32_t global_loss_ppm_ = 0;
  NetworkCounters counters_;
};

}  // namespace poolha::sim
