// The daemon's Prometheus metrics: what an operator's monitoring needs to see
// of one host (its HA phase, liveset, storage and heartbeat health, VM work,
// alerts, API use), kept in one prometheus-cpp registry.
//
// The event loop sets them as it moves the state machines' inputs and outputs;
// render() produces the text exposition format for GET /metrics and may run
// on an HTTP thread at the same time, which is safe because every value is an
// atomic inside prometheus-cpp and series are only added under its lock.
//
// Label values come from fixed sets only, so a client cannot make the
// registry grow: results are an enum, phases are the engine's, alert names
// are the daemon's own constants, and API methods outside the list given at
// construction are counted as "other".
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wire/view.h"

namespace prometheus {
class Counter;
class Gauge;
class Registry;
template <typename T>
class Family;
}  // namespace prometheus

namespace poolha::daemon {

// How an operation ended; the `result` label of the counters that take one.
enum class OperationResult : std::uint8_t { kOk, kFailed, kTimedOut };
inline constexpr std::size_t kOperationResultCount = 3;
std::string_view result_label(OperationResult result);  // "ok", "failed", "timed_out"

class DaemonMetrics {
 public:
  // The content type of render()'s text, for the HTTP answer.
  static constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";
  // The api_calls_total label for a method not in the list.
  static constexpr const char* kOtherMethod = "other";

  // `api_methods`: the API's method names (api::MethodTable::names()).
  explicit DaemonMetrics(const std::vector<std::string>& api_methods);
  ~DaemonMetrics();
  DaemonMetrics(const DaemonMetrics&) = delete;
  DaemonMetrics& operator=(const DaemonMetrics&) = delete;

  void set_ha_enabled(bool enabled);
  void set_ha_generation(std::uint64_t generation);
  // std::nullopt while the host has no engine (HA off): every phase gauge 0.
  void set_phase(std::optional<wire::Phase> phase);
  void set_liveset(std::uint64_t epoch, std::size_t members);
  void set_master(bool is_master);
  void set_watchdog_armed(bool armed);
  void count_statefile_ops(OperationResult result, std::uint64_t count = 1);
  void count_heartbeats_sent(std::uint64_t count = 1);
  void count_heartbeats_received(std::uint64_t count = 1);
  // Raises fences_total to `total` fences of this host (from its fence
  // records). Counters never go down: a smaller total throws
  // std::invalid_argument.
  void set_fences_total(std::uint64_t total);
  void set_vms_running(std::size_t running);
  void count_vm_start(OperationResult result);
  void count_vm_stop(OperationResult result);
  void count_failover_restarts(std::uint64_t count = 1);
  // `alert` is one of the daemon's alert names (api/ha_alerts.h): those
  // listed there have a series from the start, any other gets one on first
  // use.
  void count_alert(std::string_view alert);
  void count_api_call(std::string_view method);
  void set_pool_database_generation(std::uint64_t generation);

  // Every metric in the Prometheus text exposition format.
  std::string render() const;

 private:
  using CounterFamily = prometheus::Family<prometheus::Counter>;
  using ResultCounters = std::vector<prometheus::Counter*>;  // by OperationResult

  ResultCounters add_result_counters(const std::string& name, const std::string& help);

  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Gauge* ha_enabled_;
  prometheus::Gauge* ha_generation_;
  std::vector<prometheus::Gauge*> phase_;  // by wire::Phase
  prometheus::Gauge* liveset_epoch_;
  prometheus::Gauge* liveset_members_;
  prometheus::Gauge* is_master_;
  prometheus::Gauge* watchdog_armed_;
  ResultCounters statefile_ops_;
  prometheus::Counter* heartbeats_sent_;
  prometheus::Counter* heartbeats_received_;
  prometheus::Counter* fences_;
  prometheus::Gauge* vms_running_;
  ResultCounters vm_starts_;
  ResultCounters vm_stops_;
  prometheus::Counter* failover_restarts_;
  CounterFamily* alerts_;
  std::map<std::string, prometheus::Counter*, std::less<>> api_calls_;  // fixed after construction
  prometheus::Counter* api_calls_other_;
  prometheus::Gauge* pool_database_generation_;
};

}  // namespace poolha::daemon
