// event.from and event.inject: the current state for an empty token, new
// events after a change, long polls that wake on events or time out, lost
// and malformed tokens, subscriptions, and HA alerts as messages.
#include "api_test_support.h"

#include "api/ha_alerts.h"

namespace poolha::api::test_support {
namespace {

using nlohmann::json;
using Strings = std::vector<std::string>;

class EventsTest : public DispatcherFixture {
 protected:
  explicit EventsTest(DispatcherConfig config = test_config())
      : DispatcherFixture(std::move(config)) {}

  // The token for "everything up to now".
  std::string current_token() {
    const Outcome outcome = call("event.from", {{"*"}, "", 0.0});
    EXPECT_TRUE(outcome.ok());
    return outcome.ok() ? outcome.value()["token"].get<std::string>() : std::string();
  }
  void set_order(int order) {
    pool::Vm vm = *backend.database()->find_vm(kRunningVmUuid);
    vm.order = order;
    backend.apply(pool::UpsertVm{vm}, log, time.wall);
  }
};

TEST_F(EventsTest, AnEmptyTokenGivesTheCurrentState) {
  const json answer = call("event.from", {{"vm", "pool"}, "", 5.0}).value();
  ASSERT_EQ(answer["events"].size(), 3u);  // the pool and two VMs
  for (const json& event : answer["events"]) {
    EXPECT_EQ(event["operation"], "add");
    EXPECT_TRUE(event.contains("snapshot"));
    EXPECT_TRUE(event["id"].is_string());
  }
  const json& pool_event = answer["events"][0];
  EXPECT_EQ(pool_event["class"], "pool");
  EXPECT_EQ(pool_event["ref"], ref(kPoolUuid));
  EXPECT_EQ(pool_event["snapshot"]["ha_enabled"], true);
  EXPECT_EQ(answer["valid_ref_counts"],
            json({{"pool", 1}, {"host", 2}, {"vm", 2}, {"sr", 2}, {"message", 0}}));
  EXPECT_TRUE(answer["token"].is_string());
}

TEST_F(EventsTest, NewEventsAfterAChange) {
  const std::string token = current_token();
  const Answer mutation = start("VM.set_order", {ref(kRunningVmUuid), 3});
  set_order(3);
  backend.mutations.at(0).done(Outcome::done());
  ASSERT_TRUE(mutation.ready());

  const json answer = call("event.from", {{"vm"}, token, 5.0}).value();
  ASSERT_EQ(answer["events"].size(), 1u);
  const json& event = answer["events"][0];
  EXPECT_EQ(event["class"], "vm");
  EXPECT_EQ(event["operation"], "mod");
  EXPECT_EQ(event["ref"], ref(kRunningVmUuid));
  EXPECT_EQ(event["snapshot"]["order"], 3);
  EXPECT_EQ(event["timestamp"], format_xapi_datetime(time.wall));
  EXPECT_NE(answer["token"], token);

  // Nothing new since the answer's token.
  const json again = call("event.from", {{"vm"}, answer["token"], 0.0}).value();
  EXPECT_TRUE(again["events"].empty());
  EXPECT_EQ(again["token"], answer["token"]);
}

TEST_F(EventsTest, AChangedResidentHostIsAnEventOfThatHostToo) {
  const std::string token = current_token();
  pool::Vm vm = *backend.database()->find_vm(kHaltedVmUuid);
  vm.power_state = pool::PowerState::kRunning;
  vm.resident_on = kSlaveUuid;
  backend.apply(pool::UpsertVm{vm}, log, time.wall);
  const json answer = call("event.from", {{"host"}, token, 0.0}).value();
  ASSERT_EQ(answer["events"].size(), 1u);
  EXPECT_EQ(answer["events"][0]["ref"], ref(kSlaveUuid));
  EXPECT_EQ(answer["events"][0]["snapshot"]["resident_VMs"], json::array({ref(kHaltedVmUuid)}));
}

TEST_F(EventsTest, WaitsForEventsAndWakesWhenTheyArrive) {
  const std::string token = current_token();
  const Answer waiting = start("event.from", {{"vm"}, token, 30.0});
  EXPECT_FALSE(waiting.ready());
  EXPECT_EQ(dispatcher->waiting_event_calls(), 1u);

  // An event of a class it did not subscribe to does not wake it.
  pool::SetPoolFields overcommit;
  overcommit.ha_allow_overcommit = true;
  backend.apply(overcommit, log, time.wall);
  EXPECT_FALSE(waiting.ready());

  set_order(7);
  ASSERT_TRUE(waiting.ready());
  const json& answer = waiting.outcome().value();
  ASSERT_EQ(answer["events"].size(), 1u);
  EXPECT_EQ(answer["events"][0]["snapshot"]["order"], 7);
  EXPECT_EQ(dispatcher->waiting_event_calls(), 0u);
}

TEST_F(EventsTest, TimesOutWithNoEvents) {
  const std::string token = current_token();
  const Answer waiting = start("event.from", {{"vm"}, token, 2.5});
  ASSERT_TRUE(dispatcher->next_deadline().has_value());
  EXPECT_EQ(*dispatcher->next_deadline(), time.now + std::chrono::milliseconds(2500));

  time.now += std::chrono::seconds(2);
  dispatcher->poll_timers();
  EXPECT_FALSE(waiting.ready());
  time.now += std::chrono::seconds(1);
  dispatcher->poll_timers();
  ASSERT_TRUE(waiting.ready());
  EXPECT_TRUE(waiting.outcome().value()["events"].empty());
  EXPECT_EQ(waiting.outcome().value()["token"], token);
}

class ShortSessionEventsTest : public EventsTest {
 protected:
  ShortSessionEventsTest() : EventsTest(short_sessions()) {}
  static DispatcherConfig short_sessions() {
    DispatcherConfig config = test_config();
    config.sessions.idle_timeout = std::chrono::seconds(30);
    return config;
  }
};

TEST_F(ShortSessionEventsTest, AWaitIsCappedAndKeepsItsSessionAlive) {
  const Answer waiting = start("event.from", {{"vm"}, current_token(), 1e9});
  EXPECT_EQ(*dispatcher->next_deadline(), time.now + std::chrono::seconds(60));
  time.now += std::chrono::seconds(45);  // beyond the idle timeout
  dispatcher->poll_timers();
  EXPECT_FALSE(waiting.ready());
  EXPECT_EQ(dispatcher->session_count(), 1u);
  time.now += std::chrono::seconds(15);
  dispatcher->poll_timers();
  ASSERT_TRUE(waiting.ready());
  EXPECT_TRUE(waiting.outcome().value()["events"].empty());
  // Idle time counts from the end of the wait.
  time.now += std::chrono::seconds(29);
  EXPECT_TRUE(call("VM.get_all").ok());
}

TEST_F(EventsTest, LogoutEndsAWaitWithSessionInvalid) {
  const Answer waiting = start("event.from", {{"vm"}, current_token(), 30.0});
  const std::string old = session;
  EXPECT_TRUE(call("session.logout").ok());
  ASSERT_TRUE(waiting.ready());
  EXPECT_EQ(error_of(waiting.outcome()), (Strings{"SESSION_INVALID", old}));
}

TEST_F(EventsTest, StaleOrForeignTokensLoseEvents) {
  EventLog small(2);
  Dispatcher other(test_config(), backend, small, nullptr, time.clocks());
  const std::string s =
      call_now(other, "session.login_with_password", {kUser, kPassword}).value().get<std::string>();
  const std::string token =
      call_now(other, "event.from", {s, {"*"}, "", 0.0}).value()["token"].get<std::string>();
  for (int i = 0; i < 3; ++i) {
    pool::Vm vm = *backend.database()->find_vm(kRunningVmUuid);
    vm.order = i + 10;
    backend.apply(pool::UpsertVm{vm}, small, time.wall);
  }
  EXPECT_EQ(error_of(call_now(other, "event.from", {s, {"*"}, token, 0.0})),
            (Strings{"EVENTS_LOST"}));
  // A token of another log (another host, an earlier run).
  EXPECT_EQ(error_of(call("event.from", {{"*"}, token, 0.0})), (Strings{"EVENTS_LOST"}));
}

TEST_F(EventsTest, ObjectSubscriptionsSelectOneObject) {
  const std::string token = current_token();
  set_order(4);
  pool::Vm halted = *backend.database()->find_vm(kHaltedVmUuid);
  halted.order = 9;
  backend.apply(pool::UpsertVm{halted}, log, time.wall);
  const json answer = call("event.from", {{"VM/" + ref(kHaltedVmUuid)}, token, 0.0}).value();
  ASSERT_EQ(answer["events"].size(), 1u);
  EXPECT_EQ(answer["events"][0]["ref"], ref(kHaltedVmUuid));
}

TEST_F(EventsTest, HaAlertsAreMessages) {
  const std::string token = current_token();
  const std::string message = log.post_message(
      make_alert(kHaHostFailed, "Host", kSlaveUuid, "Server 'host host-b' has failed"), time.wall);
  log.post_message(
      make_alert(kHaHostWasFenced, "Host", kSlaveUuid, "Server 'host host-b' is confirmed fenced"),
      time.wall);
  const json answer = call("event.from", {{"message"}, token, 0.0}).value();
  ASSERT_EQ(answer["events"].size(), 2u);
  const json& failed = answer["events"][0];
  EXPECT_EQ(failed["class"], "message");
  EXPECT_EQ(failed["operation"], "add");
  EXPECT_EQ(failed["ref"], message);
  EXPECT_EQ(failed["snapshot"]["name"], "HA_HOST_FAILED");
  EXPECT_EQ(failed["snapshot"]["priority"], 3);
  EXPECT_EQ(failed["snapshot"]["cls"], "Host");
  EXPECT_EQ(failed["snapshot"]["obj_uuid"], kSlaveUuid);
  EXPECT_EQ(failed["snapshot"]["body"], "Server 'host host-b' has failed");
  EXPECT_EQ(answer["events"][1]["snapshot"]["name"], "HA_HOST_WAS_FENCED");
  EXPECT_EQ(answer["valid_ref_counts"]["message"], 2);

  // A client starting afresh sees the messages the log still holds.
  const json fresh = call("event.from", {{"message"}, "", 0.0}).value();
  EXPECT_EQ(fresh["events"].size(), 2u);
}

TEST_F(EventsTest, InjectGivesTheTokenJustBeforeItsEvent) {
  const Outcome injected = call("event.inject", {"VM", ref(kHaltedVmUuid)});
  ASSERT_TRUE(injected.ok()) << error_of(injected).front();
  const json answer = call("event.from", {{"vm"}, injected.value(), 0.0}).value();
  ASSERT_EQ(answer["events"].size(), 1u);
  EXPECT_EQ(answer["events"][0]["operation"], "mod");
  EXPECT_EQ(answer["events"][0]["ref"], ref(kHaltedVmUuid));
}

}  // namespace
}  // namespace poolha::api::test_support
