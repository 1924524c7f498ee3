// A slave's local copy: one checksummed snapshot with its generation, and the
// choice of the newest database among several copies.
#include <gtest/gtest.h>

#include "pool/local_copy.h"
#include "pool/snapshot.h"
#include "pool_test_support.h"

namespace poolha::pool {
namespace {

using test_support::sample_database;

TEST(PoolLocalCopy, RoundTrips) {
  const Snapshot snapshot{sample_database(), 1234567890123ull};
  const std::vector<std::uint8_t> image = encode_local_copy(snapshot);
  Result<Snapshot> decoded = decode_local_copy(image);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message();
  EXPECT_EQ(decoded.value(), snapshot);
  EXPECT_EQ(encode_local_copy(decoded.value()), image);
}

TEST(PoolLocalCopy, DamagedOrTruncatedImagesAreRejected) {
  const std::vector<std::uint8_t> image = encode_local_copy(Snapshot{sample_database(), 5});
  for (std::size_t length = 0; length < image.size(); length += 13) {
    const std::vector<std::uint8_t> truncated(image.begin(),
                                              image.begin() + static_cast<std::ptrdiff_t>(length));
    Result<Snapshot> decoded = decode_local_copy(truncated);
    ASSERT_FALSE(decoded.ok()) << length;
    EXPECT_EQ(decoded.error().code, ErrorCode::kMalformed);
  }
  test_support::TestRandom random(5);
  for (int i = 0; i < 500; ++i) {
    std::vector<std::uint8_t> damaged = image;
    damaged[random.below(damaged.size())] ^= static_cast<std::uint8_t>(1u << random.below(8));
    EXPECT_FALSE(decode_local_copy(damaged).ok());
  }
  std::vector<std::uint8_t> longer = image;
  longer.push_back(0);
  EXPECT_FALSE(decode_local_copy(longer).ok());
  EXPECT_FALSE(decode_local_copy({}).ok());
}

TEST(PoolLocalCopy, NewestGenerationWins) {
  const Snapshot log{sample_database(), 40};
  Database older_db = sample_database();
  test_support::apply_ok(older_db, RemoveVm{"vm-3"});
  const Snapshot local{older_db, 39};
  const Snapshot newer_local{older_db, 41};
  const Snapshot tie{older_db, 40};
  EXPECT_EQ(newest_snapshot({&log, &local}), &log);
  EXPECT_EQ(newest_snapshot({&local, &log}), &log);
  EXPECT_EQ(newest_snapshot({&log, &newer_local}), &newer_local);
  EXPECT_EQ(newest_snapshot({&log, &tie}), &log);  // a tie goes to the first listed
  EXPECT_EQ(newest_snapshot({nullptr, &local}), &local);
  EXPECT_EQ(newest_snapshot({nullptr, nullptr}), nullptr);
}

}  // namespace
}  // namespace poolha::pool
