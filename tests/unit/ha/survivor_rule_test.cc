#include "ha/survivor_rule.h"

#include <gtest/gtest.h>

#include <vector>

namespace poolha::ha {
namespace {

using wire::Membership;
using wire::Phase;

// A pool whose hosts all run incarnation 1, are members of `members`, and by
// default see each other on the network, with statefile access and steady views.
struct Pool {
  explicit Pool(std::uint16_t hosts, HostSet members) : n(hosts), rows(hosts), weights(hosts, 1) {
    current.epoch = 4;
    current.members = members;
    current.master = members.lowest();
    for (HostIndex h = 0; h < n; ++h) {
      current.incarnation[h] = 1;
      HostRow& r = rows[h];
      r.fresh = true;
      r.incarnation = 1;
      r.view.phase = members.contains(h) ? Phase::kMember : Phase::kJoining;
      r.view.flags = wire::kFlagStorageAccess | wire::kFlagSteady | wire::kFlagIsolationReachable;
      r.view.hb_domain = HostSet::first_n(n);
      r.view.current = current;
    }
  }
  void cut(HostIndex a, HostIndex b) {
    rows[a].view.hb_domain.erase(b);
    rows[b].view.hb_domain.erase(a);
  }
  void isolate(HostIndex a) {
    for (HostIndex h = 0; h < n; ++h) {
      if (h != a) cut(a, h);
    }
  }
  void no_isolation(HostIndex a) {
    rows[a].view.flags &= static_cast<std::uint16_t>(~wire::kFlagIsolationReachable);
  }
  void lose_storage(HostIndex a) {
    rows[a].view.flags &= static_cast<std::uint16_t>(~wire::kFlagStorageAccess);
  }
  Decision decide(DecideMode mode = DecideMode::kRunning, bool require_all = false) {
    DecideInput in;
    in.mode = mode;
    in.host_count = n;
    in.current = &current;
    in.rows = rows;
    in.weights = weights;
    in.require_all = require_all;
    return decide_liveset(in);
  }
  std::uint16_t n;
  Membership current;
  std::vector<HostRow> rows;
  std::vector<std::uint32_t> weights;
};

TEST(SurvivorRule, HealthyPoolKeepsItsLiveset) {
  Pool p(3, {0, 1, 2});
  EXPECT_EQ(p.decide().kind, Decision::Kind::kNoChange);
}

TEST(SurvivorRule, CrashedHostIsRemoved) {
  Pool p(3, {0, 1, 2});
  p.rows[2].fresh = false;
  p.isolate(2);
  Decision d = p.decide();
  ASSERT_EQ(d.kind, Decision::Kind::kPropose);
  EXPECT_EQ(d.proposal.members, (HostSet{0, 1}));
  EXPECT_EQ(d.proposal.epoch, 5u);
  EXPECT_EQ(d.proposal.master, 0);
}

TEST(SurvivorRule, HostWithoutStatefileIsRemoved) {
  Pool p(3, {0, 1, 2});
  p.lose_storage(1);
  Decision d = p.decide();
  ASSERT_EQ(d.kind, Decision::Kind::kPropose);
  EXPECT_EQ(d.proposal.members, (HostSet{0, 2}));
}

TEST(SurvivorRule, HostCutFromManagementNetworkIsRemoved) {
  Pool p(3, {0, 1, 2});
  p.isolate(0);
  p.no_isolation(0);
  Decision d = p.decide();
  ASSERT_EQ(d.kind, Decision::Kind::kPropose);
  EXPECT_EQ(d.proposal.members, (HostSet{1, 2}));
  EXPECT_EQ(d.proposal.master, 1) << "the old master left, the lowest survivor takes over";
}

TEST(SurvivorRule, TwoHostSplitPrefersTheHostThatReachesItsIsolationAddress) {
  Pool p(2, {0, 1});
  p.cut(0, 1);
  p.no_isolation(0);  // the lowest UUID has the dead uplink: xha would keep it
  Decision d = p.decide();
  ASSERT_EQ(d.kind, Decision::Kind::kPropose);
  EXPECT_EQ(d.proposal.members, (HostSet{1}));
}

TEST(SurvivorRule, TwoHostSplitWithBothReachableFallsBackToWeightThenUuid) {
  Pool p(2, {0, 1});
  p.cut(0, 1);
  EXPECT_EQ(p.decide().proposal.members, (HostSet{0}));
  p.weights[1] = 5;
  EXPECT_EQ(p.decide().proposal.members, (HostSet{1}));
}

TEST(SurvivorRule, SwitchFailureKeepsEveryHostOnTheStatefile) {
  Pool p(3, {0, 1, 2});
  for (HostIndex h = 0; h < 3; ++h) {
    p.isolate(h);
    p.no_isolation(h);
  }
  Decision d = p.decide();
  EXPECT_EQ(d.kind, Decision::Kind::kNoChange);
  EXPECT_TRUE(d.network_lost);
}

TEST(SurvivorRule, SwitchFailureStillRemovesACrashedHost) {
  Pool p(3, {0, 1, 2});
  for (HostIndex h = 0; h < 3; ++h) {
    p.isolate(h);
    p.no_isolation(h);
  }
  p.rows[1].fresh = false;
  Decision d = p.decide();
  ASSERT_EQ(d.kind, Decision::Kind::kPropose);
  EXPECT_EQ(d.proposal.members, (HostSet{0, 2}));
  EXPECT_TRUE(d.network_lost);
}

TEST(SurvivorRule, OneHostStillReachingTheNetworkWinsOverIsolatedOnes) {
  Pool p(3, {0, 1, 2});
  for (HostIndex h = 0; h < 3; ++h) p.isolate(h);
  p.no_isolation(0);
  p.no_isolation(1);
  Decision d = p.decide();
  ASSERT_EQ(d.kind, Decision::Kind::kPropose);
  EXPECT_EQ(d.proposal.members, (HostSet{2}));
  EXPECT_FALSE(d.network_lost);
}

TEST(SurvivorRule, NobodyWithStatefileMeansWait) {
  Pool p(3, {0, 1, 2});
  for (HostIndex h = 0; h < 3; ++h) p.lose_storage(h);
  EXPECT_EQ(p.decide().kind, Decision::Kind::kWait);
}

TEST(SurvivorRule, UnsteadyViewsMeanWait) {
  Pool p(3, {0, 1, 2});
  p.rows[2].fresh = false;
  p.rows[1].view.flags &= static_cast<std::uint16_t>(~wire::kFlagSteady);
  EXPECT_EQ(p.decide().kind, Decision::Kind::kWait);
}

TEST(SurvivorRule, RebootedMemberIsRemovedBeforeItCanJoin) {
  Pool p(3, {0, 1, 2});
  p.rows[2].incarnation = 2;  // a new incarnation of a member
  p.rows[2].view.phase = Phase::kJoining;
  p.rows[2].view.flags |= wire::kFlagJoinRequest;
  Decision d = p.decide();
  ASSERT_EQ(d.kind, Decision::Kind::kPropose);
  EXPECT_EQ(d.proposal.members, (HostSet{0, 1}));
}

TEST(SurvivorRule, JoinerIsAdmittedWithItsIncarnation) {
  Pool p(3, {0, 1});
  p.rows[2].incarnation = 7;
  p.rows[2].view.flags |= wire::kFlagJoinRequest;
  Decision d = p.decide();
  ASSERT_EQ(d.kind, Decision::Kind::kPropose);
  EXPECT_EQ(d.proposal.members, (HostSet{0, 1, 2}));
  EXPECT_EQ(d.proposal.incarnation[2], 7u);
}

TEST(SurvivorRule, JoinerCannotWinAPartition) {
  Pool p(3, {0, 1});
  p.rows[2].view.flags |= wire::kFlagJoinRequest;
  p.cut(0, 2);
  p.cut(1, 2);
  EXPECT_EQ(p.decide().kind, Decision::Kind::kNoChange);
}

TEST(SurvivorRule, LeavingHostIsRemoved) {
  Pool p(3, {0, 1, 2});
  p.rows[0].view.flags |= wire::kFlagLeaving;
  Decision d = p.decide();
  ASSERT_EQ(d.kind, Decision::Kind::kPropose);
  EXPECT_EQ(d.proposal.members, (HostSet{1, 2}));
  EXPECT_EQ(d.proposal.master, 1);
}

TEST(SurvivorRule, NonCliqueIsShrunkToAClique) {
  Pool p(3, {0, 1, 2});
  p.cut(0, 2);  // 0-1-2 chain
  Decision d = p.decide();
  ASSERT_EQ(d.kind, Decision::Kind::kPropose);
  EXPECT_EQ(d.proposal.members.size(), 2u);
  EXPECT_TRUE(d.proposal.members.contains(1));
}

TEST(SurvivorRule, MasterHandOverIsCopiedFromTheMaster) {
  Pool p(3, {0, 1, 2});
  Membership h = p.current;
  h.epoch = 5;
  h.master = 2;
  p.rows[0].view.has_proposal = true;
  p.rows[0].view.proposal = h;
  Decision d = p.decide();
  ASSERT_EQ(d.kind, Decision::Kind::kPropose);
  EXPECT_EQ(d.proposal.master, 2);
  EXPECT_EQ(d.proposal.members, (HostSet{0, 1, 2}));
}

TEST(SurvivorRule, EnableNeedsEveryHost) {
  Pool p(3, {});
  p.current = Membership{};
  p.current.master = 1;
  for (auto& r : p.rows) r.view.flags |= wire::kFlagReform;
  Decision d = p.decide(DecideMode::kReform, true);
  ASSERT_EQ(d.kind, Decision::Kind::kPropose);
  EXPECT_EQ(d.proposal.members, (HostSet{0, 1, 2}));
  EXPECT_EQ(d.proposal.epoch, 1u);
  EXPECT_EQ(d.proposal.master, 1);
  p.rows[2].fresh = false;
  EXPECT_EQ(p.decide(DecideMode::kReform, true).kind, Decision::Kind::kWait);
}

TEST(SurvivorRule, ReformNeedsAHostOfTheLatestLiveset) {
  Pool p(3, {0, 1});
  for (auto& r : p.rows) {
    r.incarnation = 2;
    r.view.phase = Phase::kJoining;
    r.view.flags |= wire::kFlagReform;
  }
  p.rows[0].fresh = false;
  p.rows[1].fresh = false;
  EXPECT_EQ(p.decide(DecideMode::kReform).kind, Decision::Kind::kWait)
      << "host 2 was not in the latest liveset and cannot form one alone";
  p.rows[1].fresh = true;
  Decision d = p.decide(DecideMode::kReform);
  ASSERT_EQ(d.kind, Decision::Kind::kPropose);
  EXPECT_EQ(d.proposal.members, (HostSet{1, 2}));
  EXPECT_EQ(d.proposal.master, 1);
  EXPECT_EQ(d.proposal.incarnation[1], 2u);
}

TEST(SurvivorRule, DecisionIsIndependentOfWhoDecides) {
  // Every host computes from the same rows: the result cannot depend on the caller.
  Pool p(5, {0, 1, 2, 3, 4});
  p.cut(0, 3);
  p.cut(1, 3);
  p.cut(2, 3);
  p.cut(4, 3);
  Decision a = p.decide();
  Decision b = p.decide();
  ASSERT_EQ(a.kind, Decision::Kind::kPropose);
  EXPECT_TRUE(a.proposal.same_as(b.proposal));
  EXPECT_EQ(a.proposal.members, (HostSet{0, 1, 2, 4}));
}

TEST(SurvivorRule, LargestPoolSize) {
  Pool p(256, HostSet::first_n(256));
  p.rows[200].fresh = false;
  Decision d = p.decide();
  ASSERT_EQ(d.kind, Decision::Kind::kPropose);
  EXPECT_EQ(d.proposal.members.size(), 255u);
}

}  // namespace
}  // namespace poolha::ha

namespace poolha::ha {
namespace {

// The lone member h1 and joiner h0 do not hear each other, both hear joiner
// h2. Reducing {0,1,2} to a clique must drop a joiner, not the only voter.
TEST(SurvivorRule, CliqueReductionDropsJoinersBeforeTheOnlyVoter) {
  Pool p(3, {1});
  p.rows[0].view.flags |= wire::kFlagJoinRequest;
  p.rows[2].view.flags |= wire::kFlagJoinRequest;
  p.cut(0, 1);
  Decision d = p.decide();
  ASSERT_EQ(d.kind, Decision::Kind::kPropose);
  EXPECT_TRUE(d.proposal.members.contains(1));
  EXPECT_EQ(d.proposal.master, 1);
  EXPECT_FALSE(d.proposal.members.contains(0) && d.proposal.members.contains(1));
}

}  // namespace
}  // namespace poolha::ha
