#include "sim/network.h"

#include "common/check.h"

namespace poolha::sim {

Network::Network(std::uint16_t host_count, LinkProperties defaults)
    : host_count_(host_count),
      links_(static_cast<std::size_t>(host_count) * host_count, defaults),
      nic_up_(host_count, true) {}

LinkProperties& Network::link(HostIndex from, HostIndex to) {
  POOLHA_CHECK(from < host_count_ && to < host_count_, "link endpoint out of range");
  return links_[static_cast<std::size_t>(from) * host_count_ + to];
}

const LinkProperties& Network::link(HostIndex from, HostIndex to) const {
  POOLHA_CHECK(from < host_count_ && to < host_count_, "link endpoint out of range");
  return links_[static_cast<std::size_t>(from) * host_count_ + to];
}

void Network::set_pair_up(HostIndex a, HostIndex b, bool up) {
  link(a, b).up = up;
  link(b, a).up = up;
}

void Network::heal() {
  for (auto& l : links_) {
    l.up = true;
    l.loss_ppm = 0;
  }
  for (std::size_t h = 0; h < nic_up_.size(); ++h) nic_up_[h] = true;
  switch_up_ = true;
  global_loss_ppm_ = 0;
}

bool Network::path_up(HostIndex from, HostIndex to) const {
  if (from >= host_count_ || to >= host_count_) return false;
  if (from == to) return true;  // loopback never crosses the switch
  return switch_up_ && nic_up_[from] && nic_up_[to] && link(from, to).up;
}

std::optional<Duration> Network::route(HostIndex from, HostIndex to, Prng& prng) {
  ++counters_.sent;
  if (!path_up(from, to)) {
    ++counters_.dropped_down;
    return std::nullopt;
  }
  const LinkProperties& l = link(from, to);
  // Independent link and global loss: survive both.
  if (prng.chance_ppm(l.loss_ppm) || prng.chance_ppm(global_loss_ppm_)) {
    ++counters_.dropped_loss;
    return std::nullopt;
  }
  std::int64_t delay = l.delay.count();
  if (l.jitter.count() > 0) delay += prng.between(-l.jitter.count(), l.jitter.count());
  ++counters_.delivered_or_in_flight;
  return Duration(delay < 0 ? 0 : delay);
}

}  // namespace poolha::sim
