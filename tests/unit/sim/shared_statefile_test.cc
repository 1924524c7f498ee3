// The cached statefile decode must always equal a full wire::decode_statefile
// of the same bytes, whatever sequence of whole, partial and torn writes led
// there, and snapshots handed out earlier must not change.
#include <gtest/gtest.h>

#include <algorithm>

#include "sim/prng.h"
#include "sim/shared_statefile.h"
#include "statefile_samples.h"

namespace poolha::sim {
namespace {

using testing::encoded_global;
using testing::encoded_slot;

void expect_same(const wire::StatefileImage& a, const wire::StatefileImage& b) {
  ASSERT_EQ(a.global.has_value(), b.global.has_value());
  if (a.global) {
    EXPECT_EQ(a.global->master, b.global->master);
    EXPECT_EQ(a.global->pool_state, b.global->pool_state);
  } else {
    EXPECT_EQ(a.global_error, b.global_error);
  }
  ASSERT_EQ(a.slots.size(), b.slots.size());
  for (std::size_t h = 0; h < a.slots.size(); ++h) {
    ASSERT_EQ(a.slots[h].slot.has_value(), b.slots[h].slot.has_value()) << "host " << h;
    if (a.slots[h].slot) {
      EXPECT_EQ(a.slots[h].slot->sequence, b.slots[h].slot->sequence) << "host " << h;
      EXPECT_EQ(a.slots[h].slot->incarnation, b.slots[h].slot->incarnation) << "host " << h;
    } else {
      EXPECT_EQ(a.slots[h].error, b.slots[h].error) << "host " << h;
    }
  }
}

TEST(SharedStatefile, StartsZeroedAndEmpty) {
  SharedStatefile sf(3);
  EXPECT_EQ(sf.bytes().size(), wire::layout_for(3).total_size());
  EXPECT_TRUE(std::all_of(sf.bytes().begin(), sf.bytes().end(), [](auto b) { return b == 0; }));
  const auto image = sf.snapshot();
  EXPECT_FALSE(image->global.has_value());
  ASSERT_EQ(image->slots.size(), 3u);
  for (const auto& s : image->slots) EXPECT_FALSE(s.slot.has_value());
  expect_same(*image, wire::decode_statefile(sf.bytes(), 3));
}

TEST(SharedStatefile, RejectsOutOfRangeWrites) {
  SharedStatefile sf(2);
  const std::vector<std::uint8_t> one(1, 0xFF);
  EXPECT_FALSE(sf.write(sf.bytes().size(), one));
  EXPECT_TRUE(sf.write(sf.bytes().size() - 1, one));
}

TEST(SharedStatefile, EqualsAFullDecodeAfterRandomWholePartialAndTornWrites) {
  for (std::uint16_t n : {1, 3, 5}) {
    SharedStatefile sf(n);
    const wire::StatefileLayout layout = sf.layout();
    Prng prng(n);
    std::vector<std::uint64_t> sequence(n, 0);
    for (int step = 0; step < 400; ++step) {
      const auto choice = prng.below(10);
      if (choice == 0) {
        sf.write(0, encoded_global(n, static_cast<HostIndex>(prng.below(n))));
      } else {
        const auto h = static_cast<HostIndex>(prng.below(n));
        const std::uint64_t seq = ++sequence[h];
        auto bytes = encoded_slot(n, h, seq);
        // Sometimes only a prefix lands (torn), sometimes a write straddles regions.
        if (choice == 1) bytes.resize(prng.below(bytes.size()));
        std::size_t offset = layout.slot_offset(h, wire::slot_copy_for(seq));
        if (choice == 2 && offset >= 100) offset -= 100;
        sf.write(offset, bytes);
      }
      if (prng.chance_percent(40))
        expect_same(*sf.snapshot(), wire::decode_statefile(sf.bytes(), n));
    }
    expect_same(*sf.snapshot(), wire::decode_statefile(sf.bytes(), n));
  }
}

TEST(SharedStatefile, TheNewerValidCopyWinsAndATornCopyFallsBack) {
  SharedStatefile sf(2);
  const auto layout = sf.layout();
  sf.write(layout.slot_offset(1, 1), encoded_slot(2, 1, 1));
  sf.write(layout.slot_offset(1, 0), encoded_slot(2, 1, 2));
  EXPECT_EQ(sf.snapshot()->slots[1].slot->sequence, 2u);
  // Sequence 3 goes to copy 1 but only the first 100 bytes land: copy 0 (2) wins.
  auto torn = encoded_slot(2, 1, 3);
  torn.resize(100);
  sf.write(layout.slot_offset(1, 1), torn);
  EXPECT_EQ(sf.snapshot()->slots[1].slot->sequence, 2u);
}

TEST(SharedStatefile, EarlierSnapshotsStayUnchanged) {
  SharedStatefile sf(2);
  const auto layout = sf.layout();
  sf.write(layout.slot_offset(0, 1), encoded_slot(2, 0, 1));
  const auto before = sf.snapshot();
  sf.write(layout.slot_offset(0, 0), encoded_slot(2, 0, 2));
  const auto after = sf.snapshot();
  EXPECT_EQ(before->slots[0].slot->sequence, 1u);
  EXPECT_EQ(after->slots[0].slot->sequence, 2u);
  // Nothing written since: the same snapshot is shared.
  EXPECT_EQ(sf.snapshot().get(), after.get());
}

}  // namespace
}  // namespace poolha::sim
