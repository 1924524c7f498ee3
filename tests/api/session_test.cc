// Sessions: login with good and bad credentials, calls without a valid
// session, idle expiry, logout, the session limit and the pool secret.
#include "api_test_support.h"

namespace poolha::api::test_support {
namespace {

using nlohmann::json;
using Strings = std::vector<std::string>;

class SessionTest : public DispatcherFixture {};

TEST_F(SessionTest, LoginGivesAnOpaqueReference) {
  EXPECT_EQ(session.rfind("OpaqueRef:", 0), 0u) << session;
  EXPECT_TRUE(call("pool.get_all").ok());
}

TEST_F(SessionTest, VersionAndOriginatorMayBeLeftOut) {
  const Outcome outcome = call_now(*dispatcher, "session.login_with_password", {kUser, kPassword});
  ASSERT_TRUE(outcome.ok()) << error_of(outcome).front();
  EXPECT_NE(outcome.value(), json(session));
}

TEST_F(SessionTest, WrongPasswordOrUserFailsAuthentication) {
  EXPECT_EQ(
      error_of(call_now(*dispatcher, "session.login_with_password", {kUser, "wrong", "1.0", "t"})),
      (Strings{"SESSION_AUTHENTICATION_FAILED", kUser, "Authentication failure"}));
  EXPECT_EQ(error_of(call_now(*dispatcher, "session.login_with_password",
                              {"nobody", kPassword, "1.0", "t"})),
            (Strings{"SESSION_AUTHENTICATION_FAILED", "nobody", "Authentication failure"}));
  EXPECT_EQ(dispatcher->session_count(), 1u);
}

TEST_F(SessionTest, CallsWithoutAValidSessionAreRefused) {
  const std::string unknown = "OpaqueRef:00000000-0000-4000-8000-000000000000";
  EXPECT_EQ(error_of(call_now(*dispatcher, "VM.get_all", {unknown})),
            (Strings{"SESSION_INVALID", unknown}));
  EXPECT_EQ(error_of(call_now(*dispatcher, "VM.get_all", {""})), (Strings{"SESSION_INVALID", ""}));
  EXPECT_EQ(error_of(call_now(*dispatcher, "VM.get_all", {42})),
            (Strings{"SESSION_INVALID", "42"}));
}

TEST_F(SessionTest, AnIdleSessionExpires) {
  time.now += std::chrono::minutes(9);
  ASSERT_TRUE(call("VM.get_all").ok());  // use restarts the idle time
  time.now += std::chrono::minutes(9);
  ASSERT_TRUE(call("VM.get_all").ok());
  time.now += std::chrono::minutes(10);
  EXPECT_EQ(error_of(call("VM.get_all")), (Strings{"SESSION_INVALID", session}));
}

TEST_F(SessionTest, TimerPollEndsIdleSessions) {
  ASSERT_TRUE(dispatcher->next_deadline().has_value());
  EXPECT_EQ(*dispatcher->next_deadline(), time.now + std::chrono::minutes(10));
  time.now += std::chrono::minutes(10);
  dispatcher->poll_timers();
  EXPECT_EQ(dispatcher->session_count(), 0u);
}

TEST_F(SessionTest, LogoutEndsTheSession) {
  EXPECT_EQ(call("session.logout").value(), json(""));
  EXPECT_EQ(error_of(call("VM.get_all")), (Strings{"SESSION_INVALID", session}));
  EXPECT_EQ(error_of(call("session.logout")), (Strings{"SESSION_INVALID", session}));
}

TEST_F(SessionTest, SlaveLoginNeedsThePoolSecretAndAKnownHost) {
  EXPECT_TRUE(call_now(*dispatcher, "session.slave_login", {ref(kSlaveUuid), kPoolSecret}).ok());
  EXPECT_EQ(error_of(call_now(*dispatcher, "session.slave_login", {ref(kSlaveUuid), "guess"})),
            (Strings{"SESSION_AUTHENTICATION_FAILED", std::string("host ") + kSlaveUuid,
                     "Authentication failure"}));
  EXPECT_EQ(error_of(call_now(*dispatcher, "session.slave_login", {ref("host-z"), kPoolSecret})),
            (Strings{"HANDLE_INVALID", "host", ref("host-z")}));
}

class SessionLimitTest : public DispatcherFixture {
 protected:
  SessionLimitTest() : DispatcherFixture(limited()) {}
  static DispatcherConfig limited() {
    DispatcherConfig config = test_config();
    config.sessions.max_sessions = 2;
    return config;
  }
};

TEST_F(SessionLimitTest, TheLeastRecentlyUsedSessionMakesRoom) {
  time.now += std::chrono::seconds(1);
  const std::string second = login();
  time.now += std::chrono::seconds(1);
  ASSERT_TRUE(call("VM.get_all").ok());  // the first is now the most recently used
  time.now += std::chrono::seconds(1);
  const std::string third = login();
  EXPECT_EQ(dispatcher->session_count(), 2u);
  EXPECT_TRUE(call("VM.get_all").ok());
  EXPECT_EQ(error_of(call_now(*dispatcher, "VM.get_all", {second})),
            (Strings{"SESSION_INVALID", second}));
  EXPECT_TRUE(call_now(*dispatcher, "VM.get_all", {third}).ok());
}

}  // namespace
}  // namespace poolha::api::test_support
