// Parsing the default gateway out of /proc/net/route text.
#include "io/default_gateway.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "io/io_error.h"

namespace poolha::io {
namespace {

// Addresses are network-order values printed in host (little-endian) order:
// 0102A8C0 is 192.168.2.1.
constexpr const char* kTable =
    "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
    "eth0\t0000A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
    "eth0\t00000000\t0102A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"
    "eth0\t00000000\t0202A8C0\t0003\t0\t0\t50\t00000000\t0\t0\t0\n"
    "eth1\t00000000\t0101000A\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
    "eth2\t00000000\t0103000A\t0001\t0\t0\t0\t00000000\t0\t0\t0\n";

TEST(DefaultGateway, PicksTheLowestMetricDefaultRouteOfTheInterface) {
  EXPECT_EQ(parse_default_gateway(kTable, "eth0"), asio::ip::make_address_v4("192.168.2.2"));
  EXPECT_EQ(parse_default_gateway(kTable, "eth1"), asio::ip::make_address_v4("10.0.1.1"));
}

TEST(DefaultGateway, NoneWithoutAGatewayRoute) {
  EXPECT_FALSE(parse_default_gateway(kTable, "eth2"));  // no RTF_GATEWAY flag
  EXPECT_FALSE(parse_default_gateway(kTable, "eth9"));
  EXPECT_FALSE(parse_default_gateway("", "eth0"));
}

TEST(DefaultGateway, MissingGatewayIsAClearError) {
  try {
    default_gateway_of("nosuchif0");
    ADD_FAILURE() << "no error";
  } catch (const IoError& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("'nosuchif0' has no IPv4 default gateway"));
  }
}

}  // namespace
}  // namespace poolha::io
