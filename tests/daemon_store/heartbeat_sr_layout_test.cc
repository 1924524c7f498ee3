// The heartbeat SR layout: statefile first, its space rounded up to 1 MiB,
// the metadata area right after it with 4096-byte log blocks.
#include "daemon/store/heartbeat_sr_layout.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "common/units.h"
#include "pool/log_geometry.h"
#include "wire/statefile.h"

namespace poolha::daemon {
namespace {

TEST(HeartbeatSrLayout, SmallPoolKeepsOneMibForTheStatefile) {
  const HeartbeatSrLayout layout = heartbeat_sr_layout(3, 16);
  EXPECT_EQ(layout.statefile.base, 0u);
  EXPECT_EQ(layout.statefile.size, wire::layout_for(3).total_size());
  EXPECT_EQ(layout.statefile_reserved.base, 0u);
  EXPECT_EQ(layout.statefile_reserved.size, kMiB);
  EXPECT_EQ(layout.metadata_area.base, kMiB);
  EXPECT_EQ(layout.metadata_area.size, 16 * kMiB);
  EXPECT_EQ(layout.device_size(), 17 * kMiB);
  EXPECT_EQ(layout.log_geometry(), (pool::LogGeometry{16 * kMiB, 4096}));
  EXPECT_TRUE(pool::is_valid(layout.log_geometry()));
}

TEST(HeartbeatSrLayout, LargePoolRoundsTheStatefileUpToWholeMib) {
  const HeartbeatSrLayout layout = heartbeat_sr_layout(256, 1);
  const std::uint64_t statefile = wire::layout_for(256).total_size();
  ASSERT_GT(statefile, kMiB);  // so the rounding is visible
  EXPECT_EQ(layout.statefile.size, statefile);
  EXPECT_EQ(layout.statefile_reserved.size % kMiB, 0u);
  EXPECT_GE(layout.statefile_reserved.size, statefile);
  EXPECT_LT(layout.statefile_reserved.size - statefile, kMiB);
  EXPECT_EQ(layout.metadata_area.base, layout.statefile_reserved.size);
  EXPECT_EQ(layout.device_size(), layout.statefile_reserved.size + kMiB);
}

TEST(HeartbeatSrLayout, RefusesSizesOutsideTheConfigurationRanges) {
  EXPECT_THROW(heartbeat_sr_layout(0, 16), std::invalid_argument);
  EXPECT_THROW(heartbeat_sr_layout(257, 16), std::invalid_argument);
  EXPECT_THROW(heartbeat_sr_layout(3, 0), std::invalid_argument);
  EXPECT_THROW(heartbeat_sr_layout(3, 1025), std::invalid_argument);
}

}  // namespace
}  // namespace poolha::daemon
