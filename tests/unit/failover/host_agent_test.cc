#include "failover/host_agent.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "failover_test_support.h"

namespace poolha::failover {
namespace {

using testing::liveset;
using testing::seconds;

constexpr HostIndex kSelf = 1;

VmCommand command(VmCommand::Kind kind, std::uint64_t epoch, HostIndex master, std::uint64_t id,
                  const std::string& vm) {
  VmCommand c;
  c.kind = kind;
  c.epoch = epoch;
  c.master = master;
  c.id = id;
  c.vm = vm::VmConfig{vm, vm, testing::kGiB};
  return c;
}

VmCommand start(std::uint64_t epoch, HostIndex master, std::uint64_t id, const std::string& vm) {
  return command(VmCommand::Kind::kStart, epoch, master, id, vm);
}

class FailoverHostAgentTest : public ::testing::Test {
 protected:
  HostAgent agent{AgentConfig{kSelf, 1, 2s}};

  // The report the agent made ready (a failure if none).
  HostReport report_taken() {
    AgentReady ready = agent.take_ready();
    EXPECT_TRUE(ready.report.has_value());
    return ready.report ? ready.report->second : HostReport{};
  }

  // The agent acts on epoch 3 {0,1,2} with master 0; its first report is taken.
  void join_epoch_3() {
    agent.set_liveset(seconds(0), liveset(3, {0, 1, 2}, 0));
    agent.tick(seconds(0), {});
    agent.take_ready();
  }
};

TEST_F(FailoverHostAgentTest, RunsACommandOfTheMasterOfItsLiveset) {
  join_epoch_3();
  agent.receive(seconds(1), start(3, 0, 7, "web"));
  const AgentReady ready = agent.take_ready();
  ASSERT_EQ(ready.driver_ops.size(), 1u);
  EXPECT_EQ(ready.driver_ops[0].kind, VmCommand::Kind::kStart);
  EXPECT_EQ(ready.driver_ops[0].id, 7u);
  EXPECT_EQ(ready.driver_ops[0].vm.uuid, "web");
  EXPECT_TRUE(ready.results.empty());  // the answer comes from the driver
}

TEST_F(FailoverHostAgentTest, RefusesACommandOfAnotherEpoch) {
  join_epoch_3();
  for (std::uint64_t epoch : {2u, 4u}) {
    agent.receive(seconds(1), start(epoch, 0, 7, "web"));
    const AgentReady ready = agent.take_ready();
    EXPECT_TRUE(ready.driver_ops.empty()) << "epoch " << epoch;
    ASSERT_EQ(ready.results.size(), 1u);
    const auto& [to, result] = ready.results[0];
    EXPECT_EQ(to, 0);
    EXPECT_FALSE(result.ok);
    EXPECT_TRUE(result.error.starts_with(kStaleLiveset)) << result.error;
    EXPECT_EQ(result.epoch, 3u);  // the liveset the host acts on
    EXPECT_EQ(result.id, 7u);
    EXPECT_EQ(result.host, kSelf);
  }
}

TEST_F(FailoverHostAgentTest, RefusesACommandOfAnotherMaster) {
  join_epoch_3();
  agent.receive(seconds(1), start(3, 2, 7, "web"));
  const AgentReady ready = agent.take_ready();
  EXPECT_TRUE(ready.driver_ops.empty());
  ASSERT_EQ(ready.results.size(), 1u);
  EXPECT_EQ(ready.results[0].first, 2);  // the refusal goes back to its sender
  EXPECT_TRUE(ready.results[0].second.error.starts_with(kStaleLiveset));
}

TEST_F(FailoverHostAgentTest, RefusesEverythingWhileNotAMember) {
  // Before any liveset, in a liveset without this host, and in one that
  // admitted an earlier incarnation of it.
  const std::vector<wire::Membership> livesets = {wire::Membership{}, liveset(3, {0, 2}, 0),
                                                  liveset(3, {0, 1, 2}, 0, {{kSelf, 7}})};
  for (const wire::Membership& m : livesets) {
    HostAgent fresh(AgentConfig{kSelf, 1, 2s});
    fresh.set_liveset(seconds(0), m);
    fresh.receive(seconds(1), start(m.epoch, 0, 7, "web"));
    const AgentReady ready = fresh.take_ready();
    EXPECT_TRUE(ready.driver_ops.empty()) << "epoch " << m.epoch;
    ASSERT_EQ(ready.results.size(), 1u);
    EXPECT_TRUE(ready.results[0].second.error.starts_with(kStaleLiveset));
  }
}

TEST_F(FailoverHostAgentTest, RunsARetransmissionOnceWhileItIsPending) {
  join_epoch_3();
  agent.receive(seconds(1), start(3, 0, 7, "web"));
  agent.receive(seconds(2), start(3, 0, 7, "web"));
  AgentReady ready = agent.take_ready();
  EXPECT_EQ(ready.driver_ops.size(), 1u);
  EXPECT_TRUE(ready.results.empty());
  agent.driver_done(seconds(3), 7, vm::VmResult{true, {}});
  ready = agent.take_ready();
  ASSERT_EQ(ready.results.size(), 1u);
  EXPECT_TRUE(ready.results[0].second.ok);
}

TEST_F(FailoverHostAgentTest, AnswersARetransmissionOfAFinishedCommandWithoutRunningIt) {
  join_epoch_3();
  agent.receive(seconds(1), start(3, 0, 7, "web"));
  agent.take_ready();
  agent.driver_done(seconds(2), 7, vm::VmResult{false, "HOST_NOT_ENOUGH_FREE_MEMORY"});
  const AgentReady first = agent.take_ready();
  ASSERT_EQ(first.results.size(), 1u);

  agent.receive(seconds(5), start(3, 0, 7, "web"));
  const AgentReady again = agent.take_ready();
  EXPECT_TRUE(again.driver_ops.empty());
  ASSERT_EQ(again.results.size(), 1u);
  EXPECT_EQ(again.results[0].first, 0);
  EXPECT_FALSE(again.results[0].second.ok);
  EXPECT_EQ(again.results[0].second.error, "HOST_NOT_ENOUGH_FREE_MEMORY");
  EXPECT_EQ(again.results[0].second.id, 7u);
}

TEST_F(FailoverHostAgentTest, ADifferentCommandWithTheSameIdIsNoRetransmission) {
  // A master's coordinator restarted within one liveset counts ids afresh;
  // a command for another VM must not be swallowed as a repeat.
  join_epoch_3();
  agent.receive(seconds(1), start(3, 0, 7, "web"));
  agent.receive(seconds(1), start(3, 0, 7, "db"));
  agent.receive(seconds(1), command(VmCommand::Kind::kStop, 3, 0, 7, "web"));
  EXPECT_EQ(agent.take_ready().driver_ops.size(), 3u);
}

TEST_F(FailoverHostAgentTest, ARepeatArrivingAfterTheLivesetChangedIsRefused) {
  join_epoch_3();
  agent.receive(seconds(1), start(3, 0, 7, "web"));
  agent.take_ready();
  agent.driver_done(seconds(2), 7, vm::VmResult{true, {}});
  agent.take_ready();
  agent.set_liveset(seconds(3), liveset(4, {0, 1}, 0));
  agent.receive(seconds(4), start(3, 0, 7, "web"));
  const AgentReady ready = agent.take_ready();
  EXPECT_TRUE(ready.driver_ops.empty());
  ASSERT_EQ(ready.results.size(), 1u);
  EXPECT_TRUE(ready.results[0].second.error.starts_with(kStaleLiveset));
}

TEST_F(FailoverHostAgentTest, ReportsAnAcceptedStartUntilTheDriverHasIt) {
  join_epoch_3();
  agent.receive(seconds(1), start(3, 0, 7, "web"));
  // Reported before the shell took the driver op: the VM counts as running.
  agent.halted(seconds(1), "other", vm::HaltCause::kGuestCrash);  // forces a report now
  agent.tick(seconds(1), {"db"});
  AgentReady ready = agent.take_ready();
  ASSERT_TRUE(ready.report);
  EXPECT_EQ(ready.report->second.running, (std::vector<std::string>{"db", "web"}));
  // Handed over: from now on the driver's own list says whether it exists.
  agent.tick(seconds(10), {"db"});
  ready = agent.take_ready();
  ASSERT_TRUE(ready.report);
  EXPECT_EQ(ready.report->second.running, (std::vector<std::string>{"db"}));
}

TEST_F(FailoverHostAgentTest, ReportsToItsMasterAtItsEpochWithGrowingSequence) {
  agent.set_liveset(seconds(0), liveset(3, {0, 1, 2}, 2));
  agent.tick(seconds(0), {"b", "a"});
  AgentReady ready = agent.take_ready();
  ASSERT_TRUE(ready.report);
  EXPECT_EQ(ready.report->first, 2);
  const HostReport first = ready.report->second;
  EXPECT_EQ(first.epoch, 3u);
  EXPECT_EQ(first.host, kSelf);
  EXPECT_EQ(first.incarnation, 1u);
  EXPECT_EQ(first.running, (std::vector<std::string>{"a", "b"}));

  agent.tick(seconds(2), {});
  ready = agent.take_ready();
  ASSERT_TRUE(ready.report);
  EXPECT_GT(ready.report->second.sequence, first.sequence);
}

TEST_F(FailoverHostAgentTest, ReportsEveryIntervalAndAtOnceAfterAChange) {
  join_epoch_3();  // reported at 0s
  EXPECT_EQ(agent.next_wakeup(), seconds(2));
  agent.tick(seconds(1), {});
  EXPECT_FALSE(agent.take_ready().report);
  agent.tick(seconds(2), {});
  EXPECT_TRUE(agent.take_ready().report);
  agent.halted(seconds(3), "web", vm::HaltCause::kGuestShutdown);
  agent.tick(seconds(3), {});
  EXPECT_TRUE(agent.take_ready().report);  // not waiting for 4s
}

TEST_F(FailoverHostAgentTest, DoesNotReportOutsideALiveset) {
  agent.set_liveset(seconds(0), liveset(3, {0, 2}, 0));
  agent.tick(seconds(0), {"web"});
  EXPECT_FALSE(agent.take_ready().report);
}

TEST_F(FailoverHostAgentTest, RepeatsAHaltUntilTheMasterAcknowledgesIt) {
  join_epoch_3();
  agent.halted(seconds(1), "web", vm::HaltCause::kGuestShutdown);
  agent.tick(seconds(1), {});
  const HostReport first = report_taken();
  ASSERT_EQ(first.halts.size(), 1u);
  EXPECT_EQ(first.halts[0].vm, "web");
  EXPECT_EQ(first.halts[0].cause, vm::HaltCause::kGuestShutdown);

  agent.tick(seconds(3), {});
  const HostReport second = report_taken();
  EXPECT_EQ(second.halts.size(), 1u);  // not acknowledged yet

  agent.receive(seconds(4), ReportAck{3, 0, first.sequence});
  agent.tick(seconds(5), {});
  EXPECT_TRUE(report_taken().halts.empty());
}

TEST_F(FailoverHostAgentTest, AnAckCoversOnlyHaltsInReportsUpToIt) {
  join_epoch_3();
  agent.tick(seconds(2), {});
  const std::uint64_t before_halt = report_taken().sequence;
  agent.halted(seconds(3), "web", vm::HaltCause::kGuestCrash);
  agent.receive(seconds(3), ReportAck{3, 0, before_halt});
  agent.tick(seconds(3), {});
  EXPECT_EQ(report_taken().halts.size(), 1u);
}

TEST_F(FailoverHostAgentTest, IgnoresAcksOfAnotherEpochOrMaster) {
  join_epoch_3();
  agent.halted(seconds(1), "web", vm::HaltCause::kGuestCrash);
  agent.tick(seconds(1), {});
  const std::uint64_t seq = report_taken().sequence;
  agent.receive(seconds(2), ReportAck{2, 0, seq});
  agent.receive(seconds(2), ReportAck{3, 2, seq});
  agent.tick(seconds(3), {});
  EXPECT_EQ(report_taken().halts.size(), 1u);
}

TEST_F(FailoverHostAgentTest, SendsUnacknowledgedHaltsToANewMaster) {
  join_epoch_3();
  agent.halted(seconds(1), "web", vm::HaltCause::kGuestShutdown);
  agent.tick(seconds(1), {});
  const std::uint64_t seq = report_taken().sequence;

  agent.set_liveset(seconds(2), liveset(4, {1, 2}, 2));
  agent.receive(seconds(2), ReportAck{3, 0, seq});  // the old master's ack, too late
  agent.tick(seconds(2), {});
  AgentReady ready = agent.take_ready();
  ASSERT_TRUE(ready.report);
  EXPECT_EQ(ready.report->first, 2);
  EXPECT_EQ(ready.report->second.epoch, 4u);
  ASSERT_EQ(ready.report->second.halts.size(), 1u);
  EXPECT_EQ(ready.report->second.halts[0].vm, "web");

  agent.receive(seconds(3), ReportAck{4, 2, ready.report->second.sequence});
  agent.tick(seconds(4), {});
  EXPECT_TRUE(report_taken().halts.empty());
}

TEST_F(FailoverHostAgentTest, AnswersTheMasterThatCommandedAfterTheLivesetMoved) {
  join_epoch_3();
  agent.tick(seconds(2), {});
  const std::uint64_t seq = report_taken().sequence;
  agent.receive(seconds(2), start(3, 0, 7, "web"));
  agent.take_ready();
  agent.set_liveset(seconds(3), liveset(4, {1, 2}, 2));
  agent.driver_done(seconds(3), 7, vm::VmResult{true, {}});
  agent.tick(seconds(3), {"web"});
  const AgentReady ready = agent.take_ready();
  ASSERT_EQ(ready.results.size(), 1u);
  EXPECT_EQ(ready.results[0].first, 0);
  EXPECT_TRUE(ready.results[0].second.ok);
  EXPECT_EQ(ready.results[0].second.epoch, 4u);
  // The answer names the last report made before it: the one at 2s.
  EXPECT_EQ(ready.results[0].second.report_sequence, seq);
  ASSERT_TRUE(ready.report);  // and a fresh report follows at once
  EXPECT_GT(ready.report->second.sequence, ready.results[0].second.report_sequence);
}

TEST_F(FailoverHostAgentTest, IgnoresADriverAnswerForNoCommand) {
  join_epoch_3();
  agent.driver_done(seconds(1), 99, vm::VmResult{true, {}});
  EXPECT_TRUE(agent.take_ready().results.empty());
}

}  // namespace
}  // namespace poolha::failover
