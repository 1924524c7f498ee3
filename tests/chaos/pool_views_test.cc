// When a chaos pool counts as settled, and how the hosts' views are shown.
#include "chaos/pool_views.h"

#include <algorithm>

#include <gtest/gtest.h>

namespace poolha::chaos {
namespace {

using localpool::PoolSnapshot;

const std::vector<std::string> kHosts = {"host-1", "host-2", "host-3"};

PoolSnapshot view(const std::vector<std::string>& live, const std::string& master) {
  PoolSnapshot snapshot;
  snapshot.master = master;
  for (const std::string& host : kHosts) {
    localpool::HostState state;
    state.name = host;
    state.live = std::find(live.begin(), live.end(), host) != live.end();
    snapshot.hosts["uuid-" + host] = state;
  }
  return snapshot;
}

PoolSnapshot with_vm(PoolSnapshot snapshot, const std::string& name, const std::string& power,
                     const std::string& on, const std::string& priority = "restart") {
  localpool::VmState vm;
  vm.name = name;
  vm.power_state = power;
  vm.resident_on = on;
  vm.restart_priority = priority;
  snapshot.vms["uuid-" + name] = vm;
  return snapshot;
}

std::vector<HostAnswer> all_see(const PoolSnapshot& snapshot) {
  return {{"host-1", snapshot}, {"host-2", snapshot}, {"host-3", snapshot}};
}

TEST(PoolViews, SettledWhenAllAgreeAndProtectedVmsRun) {
  PoolSnapshot s = with_vm(view(kHosts, "host-1"), "vm-1", "Running", "host-2");
  s = with_vm(s, "vm-2", "Halted", "", "");  // unprotected: does not count
  EXPECT_TRUE(settle_problems(kHosts, all_see(s)).empty());
  EXPECT_EQ(describe_views(all_see(s)),
            "liveset host-1 host-2 host-3, master host-1 (seen by all 3)");
}

TEST(PoolViews, ASilentHostADeadHostOrTwoMastersAreNotSettled) {
  const PoolSnapshot good = view(kHosts, "host-1");
  std::vector<HostAnswer> silent = all_see(good);
  silent[2].snapshot.reset();
  EXPECT_EQ(settle_problems(kHosts, silent), std::vector<std::string>{"host-3 does not answer"});

  std::vector<HostAnswer> dead = all_see(good);
  dead[0].snapshot = view({"host-1", "host-2"}, "host-1");
  EXPECT_EQ(settle_problems(kHosts, dead), std::vector<std::string>{"host-1 sees host-3 dead"});

  std::vector<HostAnswer> masters = all_see(good);
  masters[1].snapshot = view(kHosts, "host-2");
  EXPECT_EQ(settle_problems(kHosts, masters),
            std::vector<std::string>{"host-2 names master host-2, host-1 names host-1"});
  EXPECT_EQ(describe_views(masters),
            "liveset host-1 host-2 host-3, master host-1 (seen by host-1 host-3) | "
            "liveset host-1 host-2 host-3, master host-2 (seen by host-2)");

  std::vector<HostAnswer> none = all_see(view(kHosts, ""));
  EXPECT_EQ(settle_problems(kHosts, none).size(), 3u);
}

TEST(PoolViews, AProtectedVmThatDoesNotRunIsNotSettledUnlessVmsAreLeftOut) {
  const PoolSnapshot s = with_vm(view(kHosts, "host-1"), "vm-1", "Halted", "");
  EXPECT_EQ(settle_problems(kHosts, all_see(s)), std::vector<std::string>{"vm-1 Halted"});
  EXPECT_TRUE(settle_problems(kHosts, all_see(s), false).empty());
}

TEST(PoolViews, TheMastersOwnAnswerIsTheReference) {
  std::vector<HostAnswer> answers = all_see(view(kHosts, "host-2"));
  answers[1].snapshot.reset();
  EXPECT_EQ(reference_answer(answers)->host, "host-1") << "the master is silent: the first answer";
  answers = all_see(view(kHosts, "host-2"));
  EXPECT_EQ(reference_answer(answers)->host, "host-2");
  for (HostAnswer& answer : answers) answer.snapshot.reset();
  EXPECT_EQ(reference_answer(answers), nullptr);
  EXPECT_EQ(describe_views(answers), "no host answers");
}

}  // namespace
}  // namespace poolha::chaos
