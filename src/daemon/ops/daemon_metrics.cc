#include "daemon/ops/daemon_metrics.h"

#include <fmt/format.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <stdexcept>

#include "api/ha_alerts.h"
#include "wire/phase_name.h"

namespace poolha::daemon {
namespace {

prometheus::Gauge& add_gauge(prometheus::Registry& registry, const std::string& name,
                             const std::string& help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(registry).Add({});
}

prometheus::Counter& add_counter(prometheus::Registry& registry, const std::string& name,
                                 const std::string& help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(registry).Add({});
}

double as_value(std::uint64_t value) {
  return static_cast<double>(value);
}

}  // namespace

std::string_view result_label(OperationResult result) {
  switch (result) {
    case OperationResult::kOk:
      return "ok";
    case OperationResult::kFailed:
      return "failed";
    case OperationResult::kTimedOut:
      return "timed_out";
  }
  throw std::invalid_argument("not an operation result");
}

DaemonMetrics::ResultCounters DaemonMetrics::add_result_counters(const std::string& name,
                                                                 const std::string& help) {
  auto& family = prometheus::BuildCounter().Name(name).Help(help).Register(*registry_);
  ResultCounters counters;
  // Every result's series exists from the start, so rate() sees its zero.
  for (std::size_t i = 0; i < kOperationResultCount; ++i) {
    const auto result = static_cast<OperationResult>(i);
    counters.push_back(&family.Add({{"result", std::string(result_label(result))}}));
  }
  return counters;
}

DaemonMetrics::DaemonMetrics(const std::vector<std::string>& api_methods)
    : registry_(std::make_shared<prometheus::Registry>()) {
  prometheus::Registry& r = *registry_;
  ha_enabled_ = &add_gauge(r, "poolha_ha_enabled", "1 when HA is enabled on the pool, else 0.");
  ha_generation_ = &add_gauge(r, "poolha_ha_generation",
                              "Generation of the pool's HA enablement this host follows.");
  auto& phases = prometheus::BuildGauge()
                     .Name("poolha_phase")
                     .Help("1 for this host's current membership engine phase, 0 for the others.")
                     .Register(r);
  for (std::uint8_t p = 0; p < wire::kPhaseCount; ++p) {
    const auto phase = static_cast<wire::Phase>(p);
    phase_.push_back(&phases.Add({{"phase", std::string(wire::phase_name(phase))}}));
  }
  liveset_epoch_ =
      &add_gauge(r, "poolha_liveset_epoch", "Epoch of the liveset this host last committed.");
  liveset_members_ =
      &add_gauge(r, "poolha_liveset_members", "Hosts in the liveset this host last committed.");
  is_master_ = &add_gauge(r, "poolha_is_master", "1 while this host acts as pool master, else 0.");
  watchdog_armed_ = &add_gauge(r, "poolha_watchdog_armed",
                               "1 while this host's watchdog or fencer is armed, else 0.");
  statefile_ops_ = add_result_counters("poolha_statefile_ops_total",
                                       "Statefile reads and writes of this host, by result.");
  heartbeats_sent_ =
      &add_counter(r, "poolha_heartbeats_sent_total", "UDP heartbeats this host sent.");
  heartbeats_received_ = &add_counter(r, "poolha_heartbeats_received_total",
                                      "UDP heartbeats this host received and accepted.");
  fences_ = &add_counter(r, "poolha_fences_total", "Times this host fenced itself.");
  vms_running_ = &add_gauge(r, "poolha_vms_running", "VMs running on this host.");
  vm_starts_ = add_result_counters("poolha_vm_starts_total", "VM starts on this host, by result.");
  vm_stops_ = add_result_counters("poolha_vm_stops_total", "VM stops on this host, by result.");
  failover_restarts_ =
      &add_counter(r, "poolha_failover_restarts_total",
                   "Protected VMs of failed hosts this host, as master, had restarted.");
  alerts_ = &prometheus::BuildCounter()
                 .Name("poolha_alerts_total")
                 .Help("HA alerts this host raised, by alert name.")
                 .Register(r);
  // The known alerts' series exist from the start; a family without series
  // would not be rendered at all.
  for (const api::AlertKind& kind :
       {api::kHaHostFailed, api::kHaHostWasFenced, api::kHaStatefileLost, api::kHaPoolOvercommitted,
        api::kHaPoolDropInPlanExistsFor, api::kHaProtectedVmRestartFailed}) {
    alerts_->Add({{"name", kind.name}});
  }
  auto& api_calls = prometheus::BuildCounter()
                        .Name("poolha_api_calls_total")
                        .Help("API calls this host received, by method.")
                        .Register(r);
  for (const std::string& method : api_methods) {
    if (method == kOtherMethod) {
      throw std::invalid_argument(
          fmt::format("the API method name '{}' is reserved for unknown methods", method));
    }
    api_calls_.emplace(method, &api_calls.Add({{"method", method}}));
  }
  api_calls_other_ = &api_calls.Add({{"method", kOtherMethod}});
  pool_database_generation_ =
      &add_gauge(r, "poolha_pool_database_generation",
                 "Generation of the pool database this host last wrote or read.");
}

DaemonMetrics::~DaemonMetrics() = default;

void DaemonMetrics::set_ha_enabled(bool enabled) {
  ha_enabled_->Set(enabled ? 1 : 0);
}

void DaemonMetrics::set_ha_generation(std::uint64_t generation) {
  ha_generation_->Set(as_value(generation));
}

void DaemonMetrics::set_phase(std::optional<wire::Phase> phase) {
  for (std::size_t p = 0; p < phase_.size(); ++p) {
    const bool current = phase && static_cast<std::size_t>(*phase) == p;
    phase_[p]->Set(current ? 1 : 0);
  }
}

void DaemonMetrics::set_liveset(std::uint64_t epoch, std::size_t members) {
  liveset_epoch_->Set(as_value(epoch));
  liveset_members_->Set(static_cast<double>(members));
}

void DaemonMetrics::set_master(bool is_master) {
  is_master_->Set(is_master ? 1 : 0);
}

void DaemonMetrics::set_watchdog_armed(bool armed) {
  watchdog_armed_->Set(armed ? 1 : 0);
}

void DaemonMetrics::count_statefile_ops(OperationResult result, std::uint64_t count) {
  statefile_ops_.at(static_cast<std::size_t>(result))->Increment(as_value(count));
}

void DaemonMetrics::count_heartbeats_sent(std::uint64_t count) {
  heartbeats_sent_->Increment(as_value(count));
}

void DaemonMetrics::count_heartbeats_received(std::uint64_t count) {
  heartbeats_received_->Increment(as_value(count));
}

void DaemonMetrics::set_fences_total(std::uint64_t total) {
  const double now = fences_->Value();
  if (as_value(total) < now) {
    throw std::invalid_argument(fmt::format("fences_total cannot go down from {} to {}",
                                            static_cast<std::uint64_t>(now), total));
  }
  fences_->Increment(as_value(total) - now);
}

void DaemonMetrics::set_vms_running(std::size_t running) {
  vms_running_->Set(static_cast<double>(running));
}

void DaemonMetrics::count_vm_start(OperationResult result) {
  vm_starts_.at(static_cast<std::size_t>(result))->Increment();
}

void DaemonMetrics::count_vm_stop(OperationResult result) {
  vm_stops_.at(static_cast<std::size_t>(result))->Increment();
}

void DaemonMetrics::count_failover_restarts(std::uint64_t count) {
  failover_restarts_->Increment(as_value(count));
}

void DaemonMetrics::count_alert(std::string_view alert) {
  if (alert.empty()) throw std::invalid_argument("an alert needs a name");
  // Family::Add returns the existing series for labels it has seen.
  alerts_->Add({{"name", std::string(alert)}}).Increment();
}

void DaemonMetrics::count_api_call(std::string_view method) {
  const auto known = api_calls_.find(method);
  (known == api_calls_.end() ? api_calls_other_ : known->second)->Increment();
}

void DaemonMetrics::set_pool_database_generation(std::uint64_t generation) {
  pool_database_generation_->Set(as_value(generation));
}

std::string DaemonMetrics::render() const {
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

}  // namespace poolha::daemon
