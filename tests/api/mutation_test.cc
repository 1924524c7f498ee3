// Mutations reach the backend as one explicit action each and are answered
// only when the backend completes them, with its value or its XenAPI error.
#include "api_test_support.h"

namespace poolha::api::test_support {
namespace {

using nlohmann::json;
using Strings = std::vector<std::string>;

class MutationTest : public DispatcherFixture {};

TEST_F(MutationTest, AnsweredWhenTheBackendCompletes) {
  const Answer answer = start("VM.set_order", {ref(kRunningVmUuid), 5});
  ASSERT_EQ(backend.mutations.size(), 1u);
  EXPECT_EQ(backend.mutations[0].action, "set_vm_order");
  EXPECT_EQ(backend.mutations[0].args, json({{"vm", kRunningVmUuid}, {"value", 5}}));
  EXPECT_FALSE(answer.ready());

  // Other calls are served meanwhile.
  EXPECT_TRUE(call("VM.get_all").ok());

  pool::Vm vm = *backend.database()->find_vm(kRunningVmUuid);
  vm.order = 5;
  backend.apply(pool::UpsertVm{vm}, log, time.wall);
  backend.mutations[0].done(Outcome::done());
  ASSERT_TRUE(answer.ready());
  EXPECT_EQ(answer.outcome().value(), json(""));
  EXPECT_EQ(call("VM.get_order", {ref(kRunningVmUuid)}).value(), 5);
}

TEST_F(MutationTest, TheBackendsRefusalReachesTheCaller) {
  const Answer answer = start("VM.start", {ref(kRunningVmUuid), false, false});
  ASSERT_EQ(backend.mutations.size(), 1u);
  backend.mutations[0].done(Outcome::failure(
      XenApiError({"VM_BAD_POWER_STATE", ref(kRunningVmUuid), "halted", "running"})));
  EXPECT_EQ(error_of(answer.outcome()),
            (Strings{"VM_BAD_POWER_STATE", ref(kRunningVmUuid), "halted", "running"}));
}

TEST_F(MutationTest, ArgumentsArriveAsUuidsAndTypedValues) {
  (void)start("VM.start_on", {ref(kHaltedVmUuid), ref(kSlaveUuid), true, false});
  (void)start("pool.enable_ha", {{ref(kHeartbeatSrUuid)}, {{"timeout", "120"}}});
  (void)start("VM.set_ha_restart_priority", {ref(kHaltedVmUuid), "best-effort"});
  (void)start("pool.set_ha_host_failures_to_tolerate", {ref(kPoolUuid), 2});
  (void)start("host.evacuate", {ref(kSlaveUuid)});
  (void)start("host.emergency_ha_disable");  // soft defaults to false
  (void)start("host.ha_disarm_fencing", {ref(kMasterUuid)});
  ASSERT_EQ(backend.mutations.size(), 7u);
  EXPECT_EQ(
      backend.mutations[0].args,
      json(
          {{"vm", kHaltedVmUuid}, {"host", kSlaveUuid}, {"start_paused", true}, {"force", false}}));
  EXPECT_EQ(backend.mutations[1].args,
            json({{"srs", {kHeartbeatSrUuid}}, {"configuration", {{"timeout", "120"}}}}));
  EXPECT_EQ(backend.mutations[2].args, json({{"vm", kHaltedVmUuid}, {"value", "best-effort"}}));
  EXPECT_EQ(backend.mutations[3].args, json({{"value", 2}}));
  EXPECT_EQ(backend.mutations[4].args, json({{"host", kSlaveUuid}}));
  EXPECT_EQ(backend.mutations[5].args, json({{"soft", false}}));
  EXPECT_EQ(backend.mutations[6].action, "ha_disarm_fencing");
}

TEST_F(MutationTest, EmergencyDisableMayBeSoft) {
  (void)start("host.emergency_ha_disable", {true});
  ASSERT_EQ(backend.mutations.size(), 1u);
  EXPECT_EQ(backend.mutations[0].args, json({{"soft", true}}));
}

}  // namespace
}  // namespace poolha::api::test_support
