// The libvirt side of the driver: one thread makes every blocking libvirt
// call, runs one operation per domain at a time (a start queued behind a
// stop waits for it), keeps the connection open, and keeps the tracker's
// list of running domains current.
#pragma once

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "vm/libvirt/domain_tracker.h"
#include "vm/libvirt/libvirt_connection.h"
#include "vm/libvirt/libvirt_event_loop.h"
#include "vm/libvirt/libvirt_handles.h"
#include "vm/libvirt/libvirt_vm_driver.h"
#include "vm/libvirt/loop_channel.h"

namespace poolha::vm::libvirt {

class DomainWorker {
 public:
  // Called on the worker thread.
  using Complete = std::function<void(VmResult)>;
  // Called on the worker thread or on libvirt's event loop thread.
  using HaltReporter = std::function<void(const std::string& uuid, HaltCause cause)>;

  // `config` is valid (the driver checked it). Connects in the background.
  DomainWorker(LibvirtDriverConfig config, std::shared_ptr<DomainTracker> tracker,
               HaltReporter report_halt);
  // Stops the thread after the libvirt call in progress; operations not
  // finished by then never complete.
  ~DomainWorker();
  DomainWorker(const DomainWorker&) = delete;
  DomainWorker& operator=(const DomainWorker&) = delete;

  // From any thread.
  void start(VmConfig vm, Complete done);
  void stop(std::string uuid, Complete done);

 private:
  using Clock = std::chrono::steady_clock;

  void enqueue(const std::string& uuid, std::function<void()> operation);
  void run_next(const std::string& uuid);
  void operation_finished(const std::string& uuid);

  void run_start(const VmConfig& vm, const Complete& done);
  VmResult start_domain(virConnectPtr connection, const VmConfig& vm);
  void run_stop(const std::string& uuid, const Complete& done);
  std::optional<VmResult> begin_stop(virConnectPtr connection, const std::string& uuid,
                                     bool repeated);
  // Done when the domain is gone; destroys it once the deadline passed.
  std::optional<VmResult> check_stop(virConnectPtr connection, const std::string& uuid,
                                     Clock::time_point deadline);
  void poll_stop(const std::string& uuid, Clock::time_point deadline, const Complete& done);
  void finish_stop(const std::string& uuid, const VmResult& result, const Complete& done);

  // Runs `operation(connection, repeated)` on an open connection. When a
  // libvirt call failed because the connection dropped under it, connects
  // again and repeats the operation once, with `repeated` set: every
  // operation checks the domain's state first, so repeating is safe. A
  // failure becomes a result whose error starts with `failure_code`.
  template <typename Operation>
  std::optional<VmResult> with_connection(const char* failure_code, Operation&& operation);
  // Connects and reads the running domains afresh; throws LibvirtError.
  void ensure_connected();
  // Closes the connection if libvirt says it is dead; true if it did.
  bool drop_dead_connection(const std::string& failure);
  void connection_closed(std::uint64_t generation, const std::string& reason);

  void refresh();
  void schedule_refresh(Duration delay);
  std::set<std::string> list_our_active_domains(virConnectPtr connection);
  bool carries_our_mark(virDomainPtr domain, const std::string& uuid);
  static void mark_as_ours(virDomainPtr domain, const std::string& uuid, bool active);
  static DomainHandle lookup(virConnectPtr connection, const std::string& uuid);
  static bool is_active(virDomainPtr domain, const std::string& uuid);
  // Whether the domain still runs, if libvirt can tell.
  std::optional<bool> still_runs(const std::string& uuid);

  const LibvirtDriverConfig config_;
  const std::shared_ptr<DomainTracker> tracker_;
  const HaltReporter report_halt_;
  std::shared_ptr<EventLoop> event_loop_;  // before the connection: it outlives it
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::shared_ptr<LoopChannel> channel_;  // libvirt's notices to io_
  std::unique_ptr<Connection> connection_;
  asio::steady_timer refresh_timer_;
  std::map<std::string, std::shared_ptr<asio::steady_timer>> stop_timers_;
  std::map<std::string, std::deque<std::function<void()>>> queues_;  // per domain, front runs
  std::optional<Clock::time_point> last_connect_warning_;
  std::atomic<bool> closing_{false};
  std::thread thread_;  // last: starts once everything above exists
};

}  // namespace poolha::vm::libvirt
