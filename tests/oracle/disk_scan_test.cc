// Scanning a disk: the header, records in sector order, damaged sectors,
// holes inside the log, where the log ends, and reading a real device.
#include "oracle/disk_scan.h"

#include <gtest/gtest.h>

#include <fstream>

#include "../support/temp_dir.h"
#include "io/file_block_device.h"
#include "oracle_test_support.h"

namespace poolha::oracle {
namespace {

using testing::boot_id;
using testing::History;
using testing::kVmA;
using wire::DecodeError;

TEST(DiskScan, BlankDiskIsEmptyWithTheLogStartingAtSectorOne) {
  const std::vector<std::uint8_t> image(8 * kSectorSize);
  const DiskScan scan = scan_disk_image(image);
  EXPECT_EQ(scan.sector_count, 8u);
  EXPECT_EQ(scan.header.error(), DecodeError::kEmpty);
  EXPECT_TRUE(scan.records.empty());
  EXPECT_TRUE(scan.bad_sectors.empty());
  EXPECT_TRUE(scan.holes.empty());
  EXPECT_EQ(scan.end_sector, kFirstRecordSector);
}

TEST(DiskScan, RecordsInSectorOrderAndTheEndAfterTheLast) {
  History history(kVmA, 16);
  history.boot_run(boot_id(1), 1, 3, 1000);
  const DiskScan scan = scan_disk_image(history.image());
  ASSERT_TRUE(scan.header.ok());
  EXPECT_EQ(scan.header.value().vm, kVmA);
  ASSERT_EQ(scan.records.size(), 3u);
  EXPECT_EQ(scan.records[0].sector, 1u);
  EXPECT_EQ(scan.records[2].sector, 3u);
  EXPECT_EQ(scan.records[2].record.sequence, 3u);
  EXPECT_EQ(scan.end_sector, 4u);
  EXPECT_TRUE(scan.holes.empty());
}

TEST(DiskScan, DamagedSectorsAndHolesInsideTheLogAreListed) {
  History history(kVmA, 32);
  history.boot_run(boot_id(1), 1, 2, 1000);  // sectors 1, 2
  history.skip(3);                           // sectors 3..5 empty
  history.boot_run(boot_id(1), 3, 3, 5000);  // sector 6
  Sector torn = encode_record({kVmA, boot_id(1), 4, 6000});
  std::fill(torn.begin() + 300, torn.end(), std::uint8_t{0});
  history.put(7, torn);
  history.put(8, encode_header({kVmA}));  // a header where a record belongs
  const DiskScan scan = scan_disk_image(history.image());
  ASSERT_EQ(scan.holes.size(), 1u);
  EXPECT_EQ(scan.holes[0].first, 3u);
  EXPECT_EQ(scan.holes[0].count, 3u);
  ASSERT_EQ(scan.bad_sectors.size(), 2u);
  EXPECT_EQ(scan.bad_sectors[0].sector, 7u);
  EXPECT_EQ(scan.bad_sectors[0].error, DecodeError::kBadChecksum);
  EXPECT_EQ(scan.bad_sectors[1].sector, 8u);
  EXPECT_EQ(scan.bad_sectors[1].error, DecodeError::kBadMagic);
  // The log ends after the last non-empty sector, damaged or not.
  EXPECT_EQ(scan.end_sector, 9u);
  EXPECT_EQ(scan.records.size(), 3u);
}

TEST(DiskScan, APartialTrailingSectorIsIgnored) {
  History history(kVmA, 4);
  history.boot_run(boot_id(1), 1, 3, 1000);
  std::vector<std::uint8_t> image = history.image();
  ASSERT_GT(image.size(), 100u);
  image.erase(image.end() - 100, image.end());
  const DiskScan scan = scan_disk_image(image);
  EXPECT_EQ(scan.sector_count, 3u);
  EXPECT_EQ(scan.records.size(), 2u);
}

TEST(DiskScan, ReadsAWholeDeviceInChunksUpToItsLastWholeBlock) {
  daemon::test_support::TempDir dir;
  const std::filesystem::path path = dir.path() / "disk.img";
  // Three 1 MiB chunks and a bit, then a partial block no write can reach.
  const std::size_t sectors = 3 * 2048 + 16;
  History history(kVmA, sectors);
  history.boot_run(boot_id(1), 1, 2, 1000);
  history.skip(2048 * 2);
  history.boot_run(boot_id(1), 3, 3, 9000);  // in the third chunk
  std::vector<std::uint8_t> image = history.image();
  image.resize(image.size() + 1000);
  {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(image.data()),
              static_cast<std::streamsize>(image.size()));
  }
  io::FileBlockDevice device(path.string(), {.direct = false});
  const DiskScan scan = scan_disk(device);
  EXPECT_EQ(scan.sector_count, sectors);
  ASSERT_EQ(scan.records.size(), 3u);
  EXPECT_EQ(scan.records[2].sector, 3u + 2048 * 2);
  ASSERT_EQ(scan.holes.size(), 1u);
  EXPECT_EQ(scan.holes[0].count, 2048u * 2);
}

}  // namespace
}  // namespace poolha::oracle
