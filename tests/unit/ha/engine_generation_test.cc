// An engine that finds a newer HA generation in the statefile's global
// section stops as disabled: HA was disabled and enabled again while it did
// not read the INVALID in between (a quick re-enable on a pool with a large
// T), and carrying on in the old generation would count every host of the
// new one as dead.
#include <gtest/gtest.h>

#include "ha/engine.h"

namespace poolha::ha {
namespace {

EngineConfig three_host_config() {
  EngineConfig c;
  c.host_count = 3;
  c.self = 2;
  c.generation = 1;
  c.secret = std::vector<std::uint8_t>(32, 7);
  c.weights = {1, 1, 1};
  for (std::uint8_t h = 0; h < 3; ++h) {
    wire::Uuid u{};
    u[0] = static_cast<std::uint8_t>(0x10 + h);
    c.host_uuids.push_back(u);
  }
  c.timing = std::get<Timing>(make_timing(std::chrono::seconds(10)));
  return c;
}

wire::StatefileImage image_with_global(std::uint64_t generation, wire::PoolState state) {
  wire::StatefileImage image;
  wire::GlobalSection g;
  g.generation = generation;
  g.pool_state = state;
  g.host_count = 3;
  g.base_timeout_ms = 10000;
  g.host_uuids = three_host_config().host_uuids;
  image.global = g;
  image.slots.resize(3);
  return image;
}

// Feeds `image` as the answer to the engine's next statefile read.
void answer_reads(Engine& engine, TimePoint& now, const wire::StatefileImage& image, int rounds) {
  for (int i = 0; i < rounds; ++i) {
    now = std::max(now, engine.next_wakeup());
    engine.tick(now);
    for (const StorageOp& op : engine.take_ready().storage) {
      if (op.kind == StorageOp::Kind::kReadAll) {
        engine.storage_done(now, op.id, true, &image);
      } else {
        engine.storage_done(now, op.id, true, nullptr);
      }
    }
  }
}

TEST(EngineGeneration, ANewerGenerationInTheStatefileDisablesTheOldEngine) {
  TimePoint now = from_us(1'000'000);
  Engine engine(three_host_config(), 1, now);
  answer_reads(engine, now, image_with_global(2, wire::PoolState::kInit), 5);
  EXPECT_EQ(engine.phase(), wire::Phase::kDisabled);
  EXPECT_FALSE(engine.armed());
  EXPECT_FALSE(engine.is_master());
}

TEST(EngineGeneration, ItsOwnGenerationDoesNot) {
  TimePoint now = from_us(1'000'000);
  Engine engine(three_host_config(), 1, now);
  answer_reads(engine, now, image_with_global(1, wire::PoolState::kInit), 5);
  EXPECT_NE(engine.phase(), wire::Phase::kDisabled);
  EXPECT_EQ(engine.phase(), wire::Phase::kJoining);
}

TEST(EngineGeneration, AnOlderGenerationIsNotADisable) {
  // An older section can only be a stale read; the engine waits instead.
  EngineConfig config = three_host_config();
  config.generation = 3;
  TimePoint now = from_us(1'000'000);
  Engine engine(config, 1, now);
  answer_reads(engine, now, image_with_global(2, wire::PoolState::kActive), 5);
  EXPECT_NE(engine.phase(), wire::Phase::kDisabled);
}

}  // namespace
}  // namespace poolha::ha
