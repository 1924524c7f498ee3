// Test doubles around VmFailover: a pool database in memory that completes
// writes later on the loop (and can fail them), and a sender that checks,
// for every start command it passes on, that the record scheduling it was
// already durable.
#pragma once

#include <fmt/format.h>
#include <asio.hpp>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "daemon/vms/coordinator_persister.h"
#include "daemon/vms/peer_sender.h"
#include "failover/records.h"

namespace poolha::daemon::test_support {

class MemoryPoolDatabase final : public CoordinatorPersister {
 public:
  MemoryPoolDatabase(asio::any_io_executor loop, failover::PoolSnapshot initial,
                     Duration write_latency)
      : loop_(std::move(loop)), db_(std::move(initial)), latency_(write_latency) {}

  void persist(std::vector<failover::VmRecord> records, std::optional<failover::PlanStatus> status,
               Done done) override {
    ++attempts_;
    const bool fail = failures_left_ > 0;
    if (fail) --failures_left_;
    auto timer = std::make_shared<asio::steady_timer>(loop_, latency_);
    timer->async_wait([this, timer, fail, records = std::move(records), status,
                       done = std::move(done)](const std::error_code&) {
      if (!fail) {
        for (const failover::VmRecord& r : records) {
          db_.vms[r.uuid] = r;
          durable_.push_back(r);
        }
        if (status) db_.status = *status;
        ++writes_;
      }
      done(!fail);
    });
  }

  void fail_next_writes(int count) { failures_left_ += count; }
  // What a new master loads.
  const failover::PoolSnapshot& snapshot() const { return db_; }
  // Every record written, in write order.
  const std::vector<failover::VmRecord>& durable() const { return durable_; }
  int attempts() const { return attempts_; }
  int writes() const { return writes_; }

 private:
  asio::any_io_executor loop_;
  failover::PoolSnapshot db_;
  Duration latency_;
  std::vector<failover::VmRecord> durable_;
  int failures_left_ = 0;
  int attempts_ = 0;
  int writes_ = 0;
};

// Passes every message on, and checks each start command against the
// database: the newest durable record of its VM must schedule it on the
// command's host.
class CheckingSender final : public PeerSender {
 public:
  CheckingSender(PeerSender& next, const MemoryPoolDatabase& db) : next_(next), db_(db) {}

  void send(HostIndex to, PeerMessage message) override {
    if (const auto* command = std::get_if<failover::VmCommand>(&message)) {
      commands_.push_back({to, *command});
      if (command->kind == failover::VmCommand::Kind::kStart) check_start(to, *command);
    }
    next_.send(to, std::move(message));
  }

  const std::vector<std::pair<HostIndex, failover::VmCommand>>& commands() const {
    return commands_;
  }
  const std::vector<std::string>& violations() const { return violations_; }
  int starts_checked() const { return starts_checked_; }

 private:
  void check_start(HostIndex to, const failover::VmCommand& command) {
    ++starts_checked_;
    const failover::VmRecord* newest = nullptr;
    for (const failover::VmRecord& r : db_.durable()) {
      if (r.uuid == command.vm.uuid) newest = &r;
    }
    if (!newest || newest->scheduled_on != to) {
      violations_.push_back(fmt::format("start of {} (command {}) sent to h{} before its record",
                                        command.vm.uuid, command.id, to));
    }
  }

  PeerSender& next_;
  const MemoryPoolDatabase& db_;
  std::vector<std::pair<HostIndex, failover::VmCommand>> commands_;
  std::vector<std::string> violations_;
  int starts_checked_ = 0;
};

}  // namespace poolha::daemon::test_support
