// VM ids (canonical UUIDs) and boot ids (128 random bits in hex).
#include "oracle/ids.h"

#include <gtest/gtest.h>

#include <set>

namespace poolha::oracle {
namespace {

TEST(VmId, CanonicalUuidsAreAcceptedAndLowercased) {
  EXPECT_EQ(parse_vm_id("0a6f6b1e-3c1d-4c55-9f00-00000000000a"),
            "0a6f6b1e-3c1d-4c55-9f00-00000000000a");
  EXPECT_EQ(parse_vm_id("0A6F6B1E-3C1D-4C55-9F00-00000000000A"),
            "0a6f6b1e-3c1d-4c55-9f00-00000000000a");
}

TEST(VmId, AnythingElseIsRefused) {
  EXPECT_FALSE(parse_vm_id(""));
  EXPECT_FALSE(parse_vm_id("web"));
  EXPECT_FALSE(parse_vm_id("0a6f6b1e-3c1d-4c55-9f00-00000000000"));    // 35 characters
  EXPECT_FALSE(parse_vm_id("0a6f6b1e-3c1d-4c55-9f00-00000000000aa"));  // 37 characters
  EXPECT_FALSE(parse_vm_id("0a6f6b1e03c1d-4c55-9f00-00000000000a"));   // no dash at 8
  EXPECT_FALSE(parse_vm_id("0a6f6b1e-3c1d-4c55-9f00-0000000000-a"));   // dash out of place
  EXPECT_FALSE(parse_vm_id("0a6f6b1e-3c1d-4c55-9f00-00000000000g"));   // not hex
  EXPECT_FALSE(parse_vm_id(std::string("0a6f6b1e-3c1d-4c55-9f00-00000000000\0", 36)));
}

TEST(BootId, HexRoundTrip) {
  BootId id;
  for (std::size_t i = 0; i < id.bytes.size(); ++i) id.bytes[i] = static_cast<std::uint8_t>(i * 17);
  EXPECT_EQ(id.hex(), "00112233445566778899aabbccddeeff");
  EXPECT_EQ(parse_boot_id(id.hex()), id);
  EXPECT_EQ(parse_boot_id("00112233445566778899AABBCCDDEEFF"), id);
}

TEST(BootId, MalformedHexAndZeroAreRefused) {
  EXPECT_FALSE(parse_boot_id(""));
  EXPECT_FALSE(parse_boot_id("00112233445566778899aabbccddeef"));    // 31 digits
  EXPECT_FALSE(parse_boot_id("00112233445566778899aabbccddeeff0"));  // 33 digits
  EXPECT_FALSE(parse_boot_id("00112233445566778899aabbccddeefg"));
  EXPECT_FALSE(parse_boot_id(std::string(32, '0')));
}

TEST(BootId, RandomIdsAreNonZeroAndDistinct) {
  std::set<BootId> seen;
  for (int i = 0; i < 100; ++i) {
    const BootId id = random_boot_id();
    EXPECT_FALSE(id.is_zero());
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 100u);
}

}  // namespace
}  // namespace poolha::oracle
