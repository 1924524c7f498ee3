// Shared by the API tests: a small pool database, an in-memory backend that
// records mutations for the test to complete, clocks the test moves, and an
// event loop thread for the HTTP tests.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "api/api_clocks.h"
#include "api/change_events.h"
#include "api/dispatcher.h"
#include "api/event_log.h"
#include "api/master_forwarder.h"
#include "api/outcome.h"
#include "api/password_hash.h"
#include "api/pool_backend.h"
#include "pool/database.h"

namespace poolha::api::test_support {

inline constexpr std::int64_t kGiB = std::int64_t{1} << 30;
inline constexpr const char* kPoolUuid = "pool-1";
inline constexpr const char* kMasterUuid = "host-a";
inline constexpr const char* kSlaveUuid = "host-b";
inline constexpr const char* kHeartbeatSrUuid = "sr-heartbeat";
inline constexpr const char* kLocalSrUuid = "sr-local";
inline constexpr const char* kRunningVmUuid = "vm-running";
inline constexpr const char* kHaltedVmUuid = "vm-halted";
inline constexpr const char* kUser = "root";
inline constexpr const char* kPassword = "correct horse";
inline constexpr const char* kPoolSecret = "pool secret";

// Two hosts, a heartbeat SR and a local one, a protected running VM and a
// halted one; HA on with a 90 s timeout.
inline pool::Database sample_database() {
  pool::Pool p;
  p.uuid = kPoolUuid;
  p.name_label = "pool one";
  p.master = kMasterUuid;
  p.ha_enabled = true;
  p.ha_timeout = 90;
  p.ha_configuration = {{"timeout", "90"}};
  p.ha_host_failures_to_tolerate = 1;
  p.ha_plan_exists_for = 1;
  p.ha_statefiles = {kHeartbeatSrUuid};

  auto host = [](std::string uuid, std::string address) {
    pool::Host h;
    h.name_label = "host " + uuid;
    h.uuid = std::move(uuid);
    h.address = std::move(address);
    h.memory_total = 64 * kGiB;
    h.memory_overhead = 4 * kGiB;
    h.live = true;
    return h;
  };
  pool::Sr heartbeat{kHeartbeatSrUuid, "heartbeat", "lvmoiscsi", true, true};
  pool::Sr local{kLocalSrUuid, "local storage", "ext", false, false};

  pool::Vm running;
  running.uuid = kRunningVmUuid;
  running.name_label = "web";
  running.power_state = pool::PowerState::kRunning;
  running.resident_on = kMasterUuid;
  running.memory_static_max = 8 * kGiB;
  running.ha_restart_priority = pool::RestartPriority::kRestart;
  running.ha_always_run = true;
  running.order = 1;
  running.start_delay = 10;
  running.agile = true;

  pool::Vm halted;
  halted.uuid = kHaltedVmUuid;
  halted.name_label = "batch";
  halted.memory_static_max = 2 * kGiB;

  auto db = pool::Database::from_records(
      p, {host(kMasterUuid, "192.0.2.1"), host(kSlaveUuid, "192.0.2.2")}, {heartbeat, local},
      {running, halted});
  EXPECT_TRUE(db.ok()) << (db.ok() ? "" : db.error().message());
  return std::move(db).value();
}

// One mutation the backend was asked for.
struct Mutation {
  std::string action;  // "set_vm_order", ...
  nlohmann::json args;
  Reply done;
};

// Serves reads from an in-memory database and keeps mutations pending until
// the test completes them (or completes them at once with auto_complete).
class FakeBackend : public PoolBackend {
 public:
  explicit FakeBackend(pool::Database database)
      : database_(std::make_shared<pool::Database>(std::move(database))) {
    role_.local_host_uuid = kMasterUuid;
    role_.is_master = true;
    role_.master_address = "192.0.2.1";
    role_.serves_reads = true;
  }

  HostRole role() const override { return role_; }
  std::shared_ptr<const pool::Database> database() const override { return database_; }
  std::optional<HostHaState> host_ha_state(std::string_view host_uuid) const override {
    const auto it = ha_states.find(std::string(host_uuid));
    if (it == ha_states.end()) return std::nullopt;
    return it->second;
  }
  std::int64_t max_host_failures_to_tolerate() const override { return 1; }
  bool failover_plan_exists(std::int64_t n) const override { return n <= 1; }

  void enable_ha(EnableHaRequest r, Reply done) override {
    record("enable_ha", {{"srs", r.heartbeat_sr_uuids}, {"configuration", r.configuration}},
           std::move(done));
  }
  void disable_ha(Reply done) override { record("disable_ha", {}, std::move(done)); }
  void set_ha_host_failures_to_tolerate(std::int64_t v, Reply done) override {
    record("set_ha_host_failures_to_tolerate", {{"value", v}}, std::move(done));
  }
  void set_ha_allow_overcommit(bool v, Reply done) override {
    record("set_ha_allow_overcommit", {{"value", v}}, std::move(done));
  }
  void start_vm(StartVmRequest r, Reply done) override {
    record("start_vm",
           {{"vm", r.vm_uuid},
            {"host", r.host_uuid.value_or("")},
            {"start_paused", r.start_paused},
            {"force", r.force}},
           std::move(done));
  }
  void clean_shutdown_vm(std::string vm, Reply done) override {
    record("clean_shutdown_vm", {{"vm", vm}}, std::move(done));
  }
  void hard_shutdown_vm(std::string vm, Reply done) override {
    record("hard_shutdown_vm", {{"vm", vm}}, std::move(done));
  }
  void set_vm_ha_restart_priority(std::string vm, pool::RestartPriority p, Reply done) override {
    record("set_vm_ha_restart_priority", {{"vm", vm}, {"value", pool::to_string(p)}},
           std::move(done));
  }
  void set_vm_order(std::string vm, std::int64_t v, Reply done) override {
    record("set_vm_order", {{"vm", vm}, {"value", v}}, std::move(done));
  }
  void set_vm_start_delay(std::string vm, std::int64_t v, Reply done) override {
    record("set_vm_start_delay", {{"vm", vm}, {"value", v}}, std::move(done));
  }
  void disable_host(std::string host, Reply done) override {
    record("disable_host", {{"host", host}}, std::move(done));
  }
  void enable_host(std::string host, Reply done) override {
    record("enable_host", {{"host", host}}, std::move(done));
  }
  void evacuate_host(std::string host, Reply done) override {
    record("evacuate_host", {{"host", host}}, std::move(done));
  }
  void emergency_ha_disable(bool soft, Reply done) override {
    record("emergency_ha_disable", {{"soft", soft}}, std::move(done));
  }
  void ha_disarm_fencing(Reply done) override { record("ha_disarm_fencing", {}, std::move(done)); }

  // Applies `change` (which must be valid) as the daemon would once it is
  // persisted, and logs its events.
  void apply(const pool::Change& change, EventLog& log, WallTime time) {
    const pool::Database before = *database_;
    auto next = std::make_shared<pool::Database>(before);
    const pool::Status status = next->apply(change);
    ASSERT_TRUE(status.ok()) << status.error().message();
    database_ = next;
    for (ObjectEvent& event : events_for_change(before, ReadContext{*database_, *this}, change)) {
      log.append(std::move(event), time);
    }
  }

  HostRole role_;
  std::map<std::string, HostHaState> ha_states;
  std::vector<Mutation> mutations;
  bool auto_complete = false;

 private:
  void record(std::string action, nlohmann::json args, Reply done) {
    if (auto_complete) {
      mutations.push_back(Mutation{std::move(action), std::move(args), {}});
      done(Outcome::done());
      return;
    }
    mutations.push_back(Mutation{std::move(action), std::move(args), std::move(done)});
  }

  std::shared_ptr<const pool::Database> database_;
};

// Time that moves only when the test says so.
struct ManualClocks {
  TimePoint now = from_us(1'000'000'000);
  WallTime wall = WallTime(std::chrono::seconds(1'780'000'000));

  ApiClocks clocks() {
    return ApiClocks{[this] { return now; }, [this] { return wall; }};
  }
};

inline ApiUser test_user() {
  return ApiUser{kUser, PasswordHash::create(kPassword, PasswordHash::kMinIterations)};
}

inline DispatcherConfig test_config() {
  DispatcherConfig config;
  config.users.push_back(test_user());
  config.pool_secret = kPoolSecret;
  config.sessions.idle_timeout = std::chrono::minutes(10);
  config.slave_policy = SlavePolicy::kRefuse;
  config.max_event_wait = std::chrono::seconds(60);
  return config;
}

// Captures the outcome of one dispatched call.
class Answer {
 public:
  Reply reply() {
    return [state = state_](Outcome outcome) {
      ASSERT_FALSE(state->has_value()) << "answered twice";
      *state = std::move(outcome);
    };
  }
  bool ready() const { return state_->has_value(); }
  const Outcome& outcome() const {
    EXPECT_TRUE(ready());
    return **state_;
  }

 private:
  std::shared_ptr<std::optional<Outcome>> state_ = std::make_shared<std::optional<Outcome>>();
};

// Dispatches and returns the answer, which must come at once.
inline Outcome call_now(Dispatcher& dispatcher, std::string method, nlohmann::json params) {
  Answer answer;
  dispatcher.dispatch(RpcCall{std::move(method), std::move(params)}, answer.reply());
  EXPECT_TRUE(answer.ready()) << "no immediate answer";
  if (!answer.ready()) return Outcome::failure(XenApiError({"TEST_NO_ANSWER"}));
  return answer.outcome();
}

inline std::vector<std::string> error_of(const Outcome& outcome) {
  if (outcome.ok()) return {"(success) " + outcome.value().dump()};
  return outcome.error().description();
}

// A single thread running posted tasks in order: the daemon's event loop.
class TestLoop {
 public:
  TestLoop() : thread_([this] { run(); }) {}
  ~TestLoop() {
    post({});
    thread_.join();
  }

  // An empty task stops the loop.
  void post(std::function<void()> task) {
    {
      std::lock_guard lock(mutex_);
      tasks_.push_back(std::move(task));
    }
    ready_.notify_one();
  }
  // Runs `task` on the loop and waits for it.
  template <typename F>
  auto run_sync(F task) {
    std::packaged_task<decltype(task())()> packaged(std::move(task));
    auto result = packaged.get_future();
    post([&packaged] { packaged(); });
    return result.get();
  }

 private:
  void run() {
    while (true) {
      std::function<void()> task;
      {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [this] { return !tasks_.empty(); });
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      if (!task) return;
      task();
    }
  }

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> tasks_;
  std::thread thread_;
};

}  // namespace poolha::api::test_support

namespace poolha::api::test_support {

// Records forwarded calls; the test answers them.
class FakeForwarder : public MasterForwarder {
 public:
  void forward(ForwardedCall call, Reply reply) override {
    calls.push_back(std::move(call));
    replies.push_back(std::move(reply));
  }
  std::vector<ForwardedCall> calls;
  std::vector<Reply> replies;
};

// A dispatcher over the sample database, a logged-in session, and helpers.
class DispatcherFixture : public ::testing::Test {
 protected:
  explicit DispatcherFixture(DispatcherConfig config = test_config()) {
    dispatcher =
        std::make_unique<Dispatcher>(std::move(config), backend, log, &forwarder, time.clocks());
    session = login();
  }

  std::string login() {
    const Outcome outcome = call_now(*dispatcher, "session.login_with_password",
                                     {kUser, kPassword, "1.0", "api tests"});
    EXPECT_TRUE(outcome.ok()) << error_of(outcome).front();
    return outcome.ok() ? outcome.value().get<std::string>() : std::string();
  }
  // A call with the session first.
  Outcome call(const std::string& method, nlohmann::json params = nlohmann::json::array()) {
    params.insert(params.begin(), session);
    return call_now(*dispatcher, method, std::move(params));
  }
  // Starts a call whose answer may come later.
  Answer start(const std::string& method, nlohmann::json params = nlohmann::json::array()) {
    params.insert(params.begin(), session);
    Answer answer;
    dispatcher->dispatch(RpcCall{method, std::move(params)}, answer.reply());
    return answer;
  }

  ManualClocks time;
  EventLog log;
  FakeBackend backend{sample_database()};
  FakeForwarder forwarder;
  std::unique_ptr<Dispatcher> dispatcher;
  std::string session;
};

inline std::string ref(const char* uuid) {
  return std::string("OpaqueRef:") + uuid;
}

}  // namespace poolha::api::test_support
