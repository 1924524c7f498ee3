// The API's pool backend on a real host: answers reads from the pool store's
// database and the membership driver's view, and turns every mutation into
// the daemon's own actions (HA enable and disable through the membership
// driver, VM lifecycle through the failover coordinator, everything else as
// pool database writes through the store).
//
// Choices where xapi has no exact counterpart:
// - enable_ha accepts only the heartbeat SR every host is configured with
//   (or none, meaning that one); any other SR, or an unsafe timeout, is
//   refused with VALUE_NOT_SUPPORTED [field, value, reason]. An enable that
//   does not form a liveset answers HA_FAILED_TO_FORM_LIVESET [reason].
// - VM start and shutdown run only through the HA coordinator: with HA off
//   they answer HA_NOT_ENABLED [explanation]. Clean and hard shutdown both
//   stop the VM through the host's VM driver. start_paused is refused.
// - host.evacuate needs live migration, which this version lacks: it
//   succeeds only for a host that runs no VMs.
// - With HA off, a failures-to-tolerate target is checked against the
//   planner exactly as the coordinator would, with every host counted live.
//
// Everything runs on the daemon's event loop; every Reply is called there,
// exactly once. A refusal found before any write leaves the pool unchanged.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <asio/any_io_executor.hpp>

#include "api/pool_backend.h"
#include "common/time.h"
#include "daemon/config.h"
#include "daemon/membership/membership_driver.h"
#include "daemon/store/pool_store.h"
#include "daemon/vms/vm_failover.h"

namespace poolha::daemon {

// The code of the refusals above, as xapi spells it.
inline constexpr const char* kValueNotSupported = "VALUE_NOT_SUPPORTED";
inline constexpr const char* kHaFailedToFormLiveset = "HA_FAILED_TO_FORM_LIVESET";

struct DaemonBackendTimeouts {
  // How long enable_ha waits for this host to join a liveset, and disable_ha
  // for this host to hold the pool database's writer again, in multiples of
  // the HA timeout T.
  int enable_timeouts = 3;
  // How long a VM start waits for the live hosts' first reports to a new
  // coordinator (they report at once on a liveset change, then every 2 s).
  Duration start_report_wait = std::chrono::seconds(6);
  // How often disable_ha checks whether it may write ha_enabled = false.
  Duration disable_poll = std::chrono::milliseconds(100);
};

class DaemonBackend final : public api::PoolBackend {
 public:
  // Every part must outlive the backend and run on `loop`.
  DaemonBackend(asio::any_io_executor loop, const DaemonConfig& config,
                MembershipDriver& membership, PoolStore& store, VmFailover& failover,
                DaemonBackendTimeouts timeouts = {});
  ~DaemonBackend() override;
  DaemonBackend(const DaemonBackend&) = delete;
  DaemonBackend& operator=(const DaemonBackend&) = delete;

  // The master's API endpoint by the rules of role(); nullopt while none is
  // known. What the API service forwards a slave's calls to.
  std::optional<Endpoint> master_endpoint() const;

  // ---- reads ---------------------------------------------------------------
  api::HostRole role() const override;
  std::shared_ptr<const pool::Database> database() const override;
  std::optional<api::HostHaState> host_ha_state(std::string_view host_uuid) const override;
  std::int64_t max_host_failures_to_tolerate() const override;
  bool failover_plan_exists(std::int64_t host_failures) const override;

  // ---- pool mutations --------------------------------------------------------
  void enable_ha(api::EnableHaRequest request, api::Reply done) override;
  void disable_ha(api::Reply done) override;
  void set_ha_host_failures_to_tolerate(std::int64_t value, api::Reply done) override;
  void set_ha_allow_overcommit(bool value, api::Reply done) override;

  void start_vm(api::StartVmRequest request, api::Reply done) override;
  void clean_shutdown_vm(std::string vm_uuid, api::Reply done) override;
  void hard_shutdown_vm(std::string vm_uuid, api::Reply done) override;
  void set_vm_ha_restart_priority(std::string vm_uuid, pool::RestartPriority priority,
                                  api::Reply done) override;
  void set_vm_order(std::string vm_uuid, std::int64_t order, api::Reply done) override;
  void set_vm_start_delay(std::string vm_uuid, std::int64_t seconds, api::Reply done) override;

  void disable_host(std::string host_uuid, api::Reply done) override;
  void enable_host(std::string host_uuid, api::Reply done) override;
  void evacuate_host(std::string host_uuid, api::Reply done) override;

  // ---- this host only --------------------------------------------------------
  void emergency_ha_disable(bool soft, api::Reply done) override;
  void ha_disarm_fencing(api::Reply done) override;

 private:
  struct ErrorContext;
  class EnableAttempt;
  static ErrorContext vm_context(std::string vm, std::string expected_power);
  static ErrorContext host_context(std::string host);
  static ErrorContext field_context(std::string field, std::string value);

  bool ha_on() const { return membership_.status().ha_on; }
  const PoolHostConfig* configured_host(std::string_view uuid) const;
  // Writes `changes`, then replies done (or with the store's error).
  void persist_and_reply(std::vector<pool::Change> changes, api::Reply done);
  // The store's writer is needed for every write: nullopt when it is ours.
  std::optional<api::XenApiError> cannot_write() const;
  // Runs a coordinator action and maps its answer to a XenAPI outcome.
  void act_and_reply(const CoordinatorAction& action, ErrorContext context, api::Reply done);
  api::XenApiError to_xenapi_error(const std::string& code, const ErrorContext& context) const;
  void change_vm(const std::string& vm_uuid, const std::function<void(pool::Vm&)>& change,
                 api::Reply done);
  void set_host_enabled(std::string host_uuid, bool enabled, api::Reply done);
  void shutdown_vm(std::string vm_uuid, api::Reply done);
  // A start the coordinator refused because a live host has not reported on
  // the current liveset yet (just after HA enable or a master change): tried
  // again until the hosts have had time to report.
  void start_when_reported(std::string vm_uuid, std::optional<HostIndex> on, ErrorContext context,
                           std::chrono::steady_clock::time_point deadline, api::Reply done);
  void finish_enable(const std::shared_ptr<EnableAttempt>& attempt,
                     const std::optional<std::string>& error);
  void wait_to_persist_disable(api::Reply done, std::chrono::steady_clock::time_point deadline);

  asio::any_io_executor loop_;
  const DaemonConfig& config_;
  MembershipDriver& membership_;
  PoolStore& store_;
  VmFailover& failover_;
  DaemonBackendTimeouts timeouts_;
  std::shared_ptr<const pool::Database> empty_database_;
  // Completions of the store, the driver and timers run only while it lives.
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace poolha::daemon
