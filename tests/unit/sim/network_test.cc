// The network model: down links, NICs and switch drop everything; loss drops
// the configured share; delivery delays stay within delay +- jitter.
#include <gtest/gtest.h>

#include "sim/network.h"

namespace poolha::sim {
namespace {

int delivered(Network& net, HostIndex from, HostIndex to, int packets, Prng& prng) {
  int n = 0;
  for (int i = 0; i < packets; ++i) n += net.route(from, to, prng) ? 1 : 0;
  return n;
}

TEST(Network, HealthyLinksDeliverEverythingWithinDelayAndJitter) {
  Network net(3, LinkProperties{true, 0, 500us, 200us});
  Prng prng(1);
  for (int i = 0; i < 10'000; ++i) {
    auto d = net.route(0, 2, prng);
    ASSERT_TRUE(d.has_value());
    EXPECT_GE(*d, 300us);
    EXPECT_LE(*d, 700us);
  }
  EXPECT_EQ(net.counters().sent, 10'000u);
  EXPECT_EQ(net.counters().delivered_or_in_flight, 10'000u);
}

TEST(Network, ADownLinkDropsOnlyItsDirection) {
  Network net(2);
  Prng prng(2);
  net.link(0, 1).up = false;
  EXPECT_EQ(delivered(net, 0, 1, 100, prng), 0);
  EXPECT_EQ(delivered(net, 1, 0, 100, prng), 100);
  EXPECT_EQ(net.counters().dropped_down, 100u);
  net.set_pair_up(0, 1, true);
  EXPECT_EQ(delivered(net, 0, 1, 100, prng), 100);
}

TEST(Network, ANicDownCutsBothDirectionsOfEveryLinkOfThatHost) {
  Network net(3);
  Prng prng(3);
  net.set_nic_up(1, false);
  EXPECT_FALSE(net.path_up(0, 1));
  EXPECT_FALSE(net.path_up(1, 0));
  EXPECT_FALSE(net.path_up(1, 2));
  EXPECT_TRUE(net.path_up(0, 2));
  EXPECT_EQ(delivered(net, 2, 1, 50, prng), 0);
}

TEST(Network, ASwitchFailureCutsEveryLink) {
  Network net(4);
  net.set_switch_up(false);
  for (HostIndex a = 0; a < 4; ++a) {
    for (HostIndex b = 0; b < 4; ++b) {
      if (a != b) {
        EXPECT_FALSE(net.path_up(a, b));
      }
    }
  }
  net.heal();
  EXPECT_TRUE(net.path_up(0, 3));
}

TEST(Network, LossDropsTheConfiguredShare) {
  Network net(2);
  Prng prng(4);
  net.set_global_loss_ppm(300'000);  // 30 %
  constexpr int kPackets = 100'000;
  const int got = delivered(net, 0, 1, kPackets, prng);
  EXPECT_NEAR(got, kPackets * 70 / 100, kPackets / 100);
  EXPECT_EQ(net.counters().dropped_loss, static_cast<std::uint64_t>(kPackets - got));
}

TEST(Network, LinkAndGlobalLossCompound) {
  Network net(2);
  Prng prng(5);
  net.link(0, 1).loss_ppm = 500'000;
  net.set_global_loss_ppm(500'000);
  constexpr int kPackets = 100'000;
  EXPECT_NEAR(delivered(net, 0, 1, kPackets, prng), kPackets / 4, kPackets / 100);
  EXPECT_EQ(delivered(net, 1, 0, 1000, prng) > 400, true);  // only the global loss
}

TEST(Network, HealRestoresLinksNicsSwitchAndLossButKeepsDelays) {
  Network net(2, LinkProperties{true, 0, 2ms, 0us});
  net.set_pair_up(0, 1, false);
  net.set_nic_up(0, false);
  net.set_switch_up(false);
  net.set_global_loss_ppm(1'000'000);
  net.link(1, 0).loss_ppm = 1'000'000;
  net.heal();
  Prng prng(6);
  EXPECT_EQ(net.route(0, 1, prng), Duration(2ms));
  EXPECT_EQ(net.route(1, 0, prng), Duration(2ms));
}

}  // namespace
}  // namespace poolha::sim
