// A scenario written back as text parses into the same run: for generated
// random schedules the replayed text gives the very same timeline.
#include <gtest/gtest.h>

#include <variant>

#include "sim/random_schedule.h"
#include "sim/scenario_parser.h"
#include "sim/scenario_runner.h"
#include "sim/scenario_writer.h"

namespace poolha::sim {
namespace {

Scenario reparse(const Scenario& s) {
  auto r = parse_scenario(write_scenario(s), s.name);
  if (auto* e = std::get_if<ParseError>(&r)) ADD_FAILURE() << e->to_string();
  return std::holds_alternative<Scenario>(r) ? std::get<Scenario>(r) : Scenario{};
}

TEST(ScenarioWriter, RandomSchedulesRoundTripAsText) {
  for (std::uint16_t hosts : {1, 2, 5}) {
    for (std::uint64_t seed = 1; seed <= 40; ++seed) {
      const Scenario s = make_random_scenario({seed, hosts, 30s});
      const std::string text = write_scenario(s);
      EXPECT_EQ(write_scenario(reparse(s)), text) << text;
    }
  }
}

TEST(ScenarioWriter, TheTextReplaysTheSameTimeline) {
  for (std::uint64_t seed : {3, 9}) {
    const Scenario s = make_random_scenario({seed, 3, 30s});
    RunOptions o;
    o.hash_timeline = true;
    EXPECT_EQ(run_scenario(s, o).timeline_hash, run_scenario(reparse(s), o).timeline_hash);
  }
}

TEST(ScenarioWriter, WritesEveryHeaderField) {
  auto r = parse_scenario(R"(hosts 2
timeout 45s
weights 3 1
set watchdog=5s
reboot-after-fence never
seed 9
duration 200s
host h1 off clock=10s drift=+100ppm
vm web host=h1 memory=512 priority=best-effort order=2 start-delay=5s
expect no-fence
at 10s enable h0
at 20s flap h0 h1 period=4s until=60s down=1s
at 30s expect vm-running web on=h0
)",
                          "w.scn");
  ASSERT_TRUE(std::holds_alternative<Scenario>(r));
  const std::string text = write_scenario(std::get<Scenario>(r));
  for (const char* line :
       {"hosts 2\n", "timeout 45s\n", "set watchdog=5s\n", "reboot-after-fence never\n", "seed 9\n",
        "duration 200s\n", "host h0 on weight=3\n", "host h1 off clock=10s drift=+100ppm\n",
        "vm web host=h1 memory=512 priority=best-effort order=2 start-delay=5s\n",
        "expect no-fence\n", "at 10s enable h0\n",
        "at 20s flap h0 h1 period=4s until=60s down=1s\n", "at 30s expect vm-running web on=h0\n"})
    EXPECT_NE(text.find(line), std::string::npos) << line << "\n---\n" << text;
}

}  // namespace
}  // namespace poolha::sim
