// The storage model: ops take effect at completion; down, paused and error
// paths; torn writes; a crash that leaves a write half applied.
#include <gtest/gtest.h>

#include <algorithm>

#include "sim/storage.h"
#include "statefile_samples.h"

namespace poolha::sim {
namespace {

using testing::encoded_slot;

ha::StorageOp write_op(std::uint64_t id, std::size_t offset, std::vector<std::uint8_t> bytes) {
  return ha::StorageOp{ha::StorageOp::Kind::kWrite, id, offset, std::move(bytes)};
}
ha::StorageOp read_op(std::uint64_t id) {
  return ha::StorageOp{ha::StorageOp::Kind::kReadAll, id, 0, {}};
}

class StorageTest : public ::testing::Test {
 protected:
  StorageTest() : storage_(2, StorageLatency{1ms, 0us}), prng_(1) {}
  std::size_t slot_offset(HostIndex h, int copy) {
    return storage_.statefile().layout().slot_offset(h, copy);
  }
  std::span<const std::uint8_t> region(std::size_t offset, std::size_t size) {
    return storage_.statefile().bytes().subspan(offset, size);
  }
  Storage storage_;
  Prng prng_;
};

TEST_F(StorageTest, AWriteTakesEffectWhenItCompletes) {
  const auto bytes = encoded_slot(2, 0, 1);
  auto d = storage_.submit(0, write_op(7, slot_offset(0, 1), bytes), prng_);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->after, Duration(1ms));
  EXPECT_TRUE(std::all_of(region(slot_offset(0, 1), bytes.size()).begin(),
                          region(slot_offset(0, 1), bytes.size()).end(),
                          [](auto b) { return b == 0; }));
  auto c = storage_.complete(0, d->ticket);
  ASSERT_TRUE(c.has_value());
  EXPECT_TRUE(c->ok);
  EXPECT_EQ(c->op_id, 7u);
  EXPECT_FALSE(c->torn);
  EXPECT_TRUE(
      std::equal(bytes.begin(), bytes.end(), region(slot_offset(0, 1), bytes.size()).begin()));
  // A ticket completes once.
  EXPECT_FALSE(storage_.complete(0, d->ticket).has_value());
}

TEST_F(StorageTest, AReadReturnsTheImageAtCompletionTime) {
  auto r = storage_.submit(1, read_op(1), prng_);
  auto w = storage_.submit(0, write_op(2, slot_offset(0, 1), encoded_slot(2, 0, 1)), prng_);
  ASSERT_TRUE(r && w);
  storage_.complete(0, w->ticket);
  auto c = storage_.complete(1, r->ticket);
  ASSERT_TRUE(c && c->ok && c->image);
  ASSERT_TRUE(c->image->slots[0].slot.has_value());
  EXPECT_EQ(c->image->slots[0].slot->sequence, 1u);
}

TEST_F(StorageTest, APausedPathHoldsOpsAndCompletesThemNormallyOnResume) {
  storage_.set_path(0, PathState::kPaused, prng_);
  EXPECT_FALSE(storage_.submit(0, read_op(3), prng_).has_value());
  EXPECT_EQ(storage_.pending(0), 1u);
  auto released = storage_.set_path(0, PathState::kUp, prng_);
  ASSERT_EQ(released.size(), 1u);
  EXPECT_EQ(released[0].after, Duration(1ms));
  auto c = storage_.complete(0, released[0].ticket);
  ASSERT_TRUE(c.has_value());
  EXPECT_TRUE(c->ok);
  EXPECT_EQ(c->op_id, 3u);
}

TEST_F(StorageTest, APauseCatchesAnOpInFlightToo) {
  auto d = storage_.submit(0, read_op(4), prng_);
  ASSERT_TRUE(d.has_value());
  EXPECT_TRUE(storage_.set_path(0, PathState::kPaused, prng_).empty());
  EXPECT_FALSE(storage_.complete(0, d->ticket).has_value());  // its completion is off
  auto released = storage_.set_path(0, PathState::kUp, prng_);
  ASSERT_EQ(released.size(), 1u);
  EXPECT_TRUE(storage_.complete(0, released[0].ticket)->ok);
}

TEST_F(StorageTest, ADownPathHangsOpsAndFailsThemWhenRestored) {
  auto in_flight = storage_.submit(0, write_op(5, slot_offset(0, 1), encoded_slot(2, 0, 1)), prng_);
  storage_.set_path(0, PathState::kDown, prng_);
  EXPECT_FALSE(storage_.complete(0, in_flight->ticket).has_value());
  auto released = storage_.set_path(0, PathState::kUp, prng_);
  ASSERT_EQ(released.size(), 1u);
  EXPECT_EQ(released[0].after, Duration::zero());
  auto c = storage_.complete(0, released[0].ticket);
  ASSERT_TRUE(c.has_value());
  EXPECT_FALSE(c->ok);
  // The write never reached the disk.
  EXPECT_FALSE(storage_.statefile().snapshot()->slots[0].slot.has_value());
}

TEST_F(StorageTest, AnErrorPathFailsOpsAtOnce) {
  storage_.set_path(1, PathState::kError, prng_);
  auto d = storage_.submit(1, read_op(6), prng_);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->after, Duration::zero());
  auto c = storage_.complete(1, d->ticket);
  ASSERT_TRUE(c.has_value());
  EXPECT_FALSE(c->ok);
  EXPECT_EQ(c->image, nullptr);
}

TEST_F(StorageTest, ATornWriteAppliesOnlyTheFirstHalfButReportsSuccess) {
  const std::size_t offset = slot_offset(1, 0);
  const auto old_bytes = encoded_slot(2, 1, 2);
  storage_.statefile().write(offset, old_bytes);
  const auto new_bytes = encoded_slot(2, 1, 4);
  storage_.tear_next_write(1);
  auto d = storage_.submit(1, write_op(8, offset, new_bytes), prng_);
  auto c = storage_.complete(1, d->ticket);
  ASSERT_TRUE(c.has_value());
  EXPECT_TRUE(c->ok);
  EXPECT_TRUE(c->torn);
  const auto now = region(offset, new_bytes.size());
  const std::size_t half = torn_length(new_bytes);
  EXPECT_GT(half, 0u);
  EXPECT_LT(half, new_bytes.size() / 2);  // half of the record, not of the padding
  EXPECT_TRUE(std::equal(new_bytes.begin(), new_bytes.begin() + static_cast<std::ptrdiff_t>(half),
                         now.begin()));
  EXPECT_TRUE(std::equal(old_bytes.begin() + static_cast<std::ptrdiff_t>(half), old_bytes.end(),
                         now.begin() + static_cast<std::ptrdiff_t>(half)));
  // Only the next write is torn.
  auto d2 = storage_.submit(1, write_op(9, offset, new_bytes), prng_);
  EXPECT_FALSE(storage_.complete(1, d2->ticket)->torn);
}

TEST(TornLength, IsHalfOfTheDataWithoutItsPadding) {
  EXPECT_EQ(torn_length(std::vector<std::uint8_t>{1, 2, 3, 4, 0, 0, 0, 0}), 2u);
  EXPECT_EQ(torn_length(std::vector<std::uint8_t>{1, 2, 3, 4, 5}), 2u);
  EXPECT_EQ(torn_length(std::vector<std::uint8_t>{0, 0, 0, 0}), 2u);
  EXPECT_EQ(torn_length(std::vector<std::uint8_t>{}), 0u);
}

TEST_F(StorageTest, ATornWriteDamagesTheRecordSoTheOlderCopyIsRead) {
  storage_.statefile().write(slot_offset(1, 1), encoded_slot(2, 1, 1));
  storage_.statefile().write(slot_offset(1, 0), encoded_slot(2, 1, 2));
  storage_.tear_next_write(1);
  auto d = storage_.submit(1, write_op(12, slot_offset(1, 1), encoded_slot(2, 1, 3)), prng_);
  storage_.complete(1, d->ticket);
  auto r = storage_.submit(0, read_op(13), prng_);
  auto c = storage_.complete(0, r->ticket);
  ASSERT_TRUE(c && c->image && c->image->slots[1].slot);
  EXPECT_EQ(c->image->slots[1].slot->sequence, 2u);
}

TEST_F(StorageTest, ACrashLeavesAWriteInFlightHalfApplied) {
  const std::size_t offset = slot_offset(0, 1);
  const auto bytes = encoded_slot(2, 0, 1);
  auto d = storage_.submit(0, write_op(10, offset, bytes), prng_);
  EXPECT_TRUE(storage_.crash(0));
  EXPECT_EQ(storage_.pending(0), 0u);
  EXPECT_FALSE(storage_.complete(0, d->ticket).has_value());
  const auto now = region(offset, bytes.size());
  const std::size_t half = torn_length(bytes);
  EXPECT_TRUE(
      std::equal(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(half), now.begin()));
  EXPECT_TRUE(std::all_of(now.begin() + static_cast<std::ptrdiff_t>(half), now.end(),
                          [](auto b) { return b == 0; }));
  // A write hung on a dead path never reached the array.
  storage_.set_path(1, PathState::kDown, prng_);
  storage_.submit(1, write_op(11, slot_offset(1, 0), encoded_slot(2, 1, 1)), prng_);
  EXPECT_FALSE(storage_.crash(1));
}

}  // namespace
}  // namespace poolha::sim
