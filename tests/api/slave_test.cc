// A slave answers every call: it serves reads itself when the backend says
// so, runs this-host calls itself, and forwards or refuses the rest.
#include "api_test_support.h"

namespace poolha::api::test_support {
namespace {

using nlohmann::json;
using Strings = std::vector<std::string>;

DispatcherConfig with_policy(SlavePolicy policy) {
  DispatcherConfig config = test_config();
  config.slave_policy = policy;
  return config;
}

class SlaveTest : public DispatcherFixture {
 protected:
  explicit SlaveTest(SlavePolicy policy) : DispatcherFixture(with_policy(policy)) {
    backend.role_ = HostRole{kSlaveUuid, false, "192.0.2.1", false};
  }
};

class RefusingSlaveTest : public SlaveTest {
 protected:
  RefusingSlaveTest() : SlaveTest(SlavePolicy::kRefuse) {}
};

class ForwardingSlaveTest : public SlaveTest {
 protected:
  ForwardingSlaveTest() : SlaveTest(SlavePolicy::kForward) {}
};

TEST_F(RefusingSlaveTest, MutationsNameTheMaster) {
  EXPECT_EQ(error_of(call("VM.set_order", {ref(kRunningVmUuid), 2})),
            (Strings{"HOST_IS_SLAVE", "192.0.2.1"}));
  EXPECT_TRUE(backend.mutations.empty());
}

TEST_F(RefusingSlaveTest, ReadsAreServedOnlyWhenTheBackendAllows) {
  EXPECT_EQ(error_of(call("VM.get_all")), (Strings{"HOST_IS_SLAVE", "192.0.2.1"}));
  backend.role_.serves_reads = true;
  EXPECT_TRUE(call("VM.get_all").ok());
  EXPECT_TRUE(call("event.from", {{"*"}, "", 0.0}).ok());
  EXPECT_EQ(error_of(call("pool.disable_ha")), (Strings{"HOST_IS_SLAVE", "192.0.2.1"}));
}

TEST_F(RefusingSlaveTest, SessionsAndThisHostCallsRunHere) {
  // The fixture logged in on this slave.
  EXPECT_EQ(dispatcher->session_count(), 1u);
  (void)start("host.emergency_ha_disable", {true});
  (void)start("host.ha_disarm_fencing", {ref(kSlaveUuid)});
  ASSERT_EQ(backend.mutations.size(), 2u);
  EXPECT_EQ(backend.mutations[0].action, "emergency_ha_disable");
  EXPECT_EQ(backend.mutations[1].action, "ha_disarm_fencing");
  EXPECT_TRUE(call_now(*dispatcher, "system.listMethods", json::array()).ok());
}

TEST_F(RefusingSlaveTest, NoKnownMasterMeansEmergencyMode) {
  backend.role_.master_address.clear();
  EXPECT_EQ(error_of(call("VM.set_order", {ref(kRunningVmUuid), 2})),
            (Strings{"HOST_IN_EMERGENCY_MODE"}));
}

TEST_F(RefusingSlaveTest, BadCallsAreRefusedBeforeAnyRouting) {
  EXPECT_EQ(error_of(call("VM.set_order", {ref(kRunningVmUuid)})).front(),
            "MESSAGE_PARAMETER_COUNT_MISMATCH");
  EXPECT_EQ(error_of(call_now(*dispatcher, "VM.set_order", {"OpaqueRef:nobody", "x", 1})).front(),
            "SESSION_INVALID");
}

TEST_F(ForwardingSlaveTest, MutationsGoToTheMasterAsSent) {
  const Answer answer = start("VM.set_order", {ref(kRunningVmUuid), 2});
  ASSERT_EQ(forwarder.calls.size(), 1u);
  const ForwardedCall& forwarded = forwarder.calls[0];
  EXPECT_EQ(forwarded.master_address, "192.0.2.1");
  EXPECT_EQ(forwarded.method, "VM.set_order");
  EXPECT_EQ(forwarded.params, json({session, ref(kRunningVmUuid), 2}));
  EXPECT_TRUE(forwarded.takes_session);
  EXPECT_TRUE(backend.mutations.empty());
  EXPECT_FALSE(answer.ready());

  forwarder.replies[0](Outcome::done());
  ASSERT_TRUE(answer.ready());
  EXPECT_EQ(answer.outcome().value(), json(""));
}

TEST_F(ForwardingSlaveTest, ReadsGoToTheMasterUnlessServedHere) {
  (void)start("VM.get_all");
  EXPECT_EQ(forwarder.calls.size(), 1u);
  backend.role_.serves_reads = true;
  EXPECT_TRUE(call("VM.get_all").ok());
  EXPECT_EQ(forwarder.calls.size(), 1u);
}

TEST_F(ForwardingSlaveTest, TheMastersErrorsReachTheCaller) {
  const Answer answer = start("pool.disable_ha");
  ASSERT_EQ(forwarder.replies.size(), 1u);
  forwarder.replies[0](Outcome::failure(XenApiError({"HA_NOT_ENABLED"})));
  EXPECT_EQ(error_of(answer.outcome()), (Strings{"HA_NOT_ENABLED"}));
}

TEST(SlaveConfiguration, ForwardingNeedsAForwarder) {
  ManualClocks time;
  EventLog log;
  FakeBackend backend{sample_database()};
  EXPECT_THROW(Dispatcher(with_policy(SlavePolicy::kForward), backend, log, nullptr, time.clocks()),
               std::invalid_argument);
}

}  // namespace
}  // namespace poolha::api::test_support
