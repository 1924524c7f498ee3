// This host's part in VM failover, on the daemon's event loop: the host
// agent (failover::HostAgent) while the host takes part in HA, and while it
// is master the failover coordinator (failover::Coordinator). It moves their
// inputs in and outputs out exactly as the simulator does (sim/sim_pool.cc),
// with real I/O:
//
// - the agent's driver operations go to the hypervisor's vm::VmDriver, whose
//   answers and halts come back to the agent;
// - results, reports, commands and acks go through a PeerSender;
// - the coordinator starts only once the owner loaded the pool database for
//   this mastership (needs_coordinator, then start_coordinator);
// - every coordinator Ready is persisted in order through the
//   CoordinatorPersister, and its commands go out only after its write
//   completed; a failed write goes again after a pause;
// - the agent is dropped the moment the host stops taking part, since the
//   others already count its VMs as stopped (docs/daemon.md).
//
// Everything runs on the loop; callbacks of an agent or coordinator that has
// since ended are ignored.
#pragma once

#include <asio.hpp>

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/host_set.h"
#include "common/time.h"
#include "daemon/peer_message.h"
#include "daemon/vms/coordinator_persister.h"
#include "daemon/vms/loop_timer.h"
#include "daemon/vms/peer_sender.h"
#include "failover/coordinator.h"
#include "failover/host_agent.h"
#include "io/monotonic_clock.h"
#include "vm/vm_driver.h"
#include "wire/view.h"

namespace poolha::daemon {

struct VmFailoverConfig {
  HostIndex self = kNoHost;
  Duration report_interval = std::chrono::seconds(2);  // the agent's periodic report
  Duration persist_retry = std::chrono::seconds(1);    // after a failed pool database write
  Duration load_retry = std::chrono::seconds(1);       // after coordinator_load_failed
};

// What the host's membership engine says, after each of its steps.
struct HostMembership {
  wire::Membership announced;     // the liveset the engine announces
  std::uint32_t incarnation = 0;  // the engine's
  bool taking_part = false;       // takes_part(engine phase)
  bool master = false;            // the engine is master and a member
};

// Whether a host in `phase` takes part in HA: every phase but left, disabled
// and fenced, which are final for an engine.
bool takes_part(wire::Phase phase);

struct VmFailoverListener {
  // Required. This host became master and needs its coordinator: load the
  // pool database, then call start_coordinator (or coordinator_load_failed)
  // with `term`. Runs on the loop, never inside a VmFailover call.
  std::function<void(std::uint64_t term)> needs_coordinator;
  // Optional: the coordinator's alerts, timeline notes and hosts confirmed fenced.
  std::function<void(const failover::Alert&)> alert;
  std::function<void(const std::string&)> note;
  std::function<void(const failover::FencedHost&)> fenced;
};

// An operator action on the coordinator, with the coordinator's `now`.
using CoordinatorAction =
    std::function<failover::ApiResult(failover::Coordinator& coordinator, TimePoint now)>;
using ActionAnswer = std::function<void(failover::ApiResult result)>;

// Errors of act() besides the coordinator's own (xapi's codes).
inline constexpr const char* kNotMasterError = "HOST_IS_SLAVE";  // this host is not master
// Master, but the pool database is still loading: try again shortly.
inline constexpr const char* kCoordinatorStartingError = "OPERATION_NOT_ALLOWED";
// The host lost the master role before the action's write was known to be
// on disk: it may or may not have happened.
inline constexpr const char* kMasterLostError = "INTERNAL_ERROR";

class VmFailover {
 public:
  // `driver`, `sender`, `persister` and `clock` must outlive this object.
  // Throws std::invalid_argument without a needs_coordinator listener or a
  // valid self index.
  VmFailover(VmFailoverConfig config, asio::any_io_executor loop, const io::Clock& clock,
             vm::VmDriver& driver, PeerSender& sender, CoordinatorPersister& persister,
             VmFailoverListener listener);
  ~VmFailover();
  VmFailover(const VmFailover&) = delete;
  VmFailover& operator=(const VmFailover&) = delete;

  // After every engine step. An incarnation that stopped taking part never
  // takes part again (a new engine has a larger one; checked).
  void set_membership(const HostMembership& membership);

  // The pool database loaded for `term` (from needs_coordinator). Returns
  // false, and does nothing, if that mastership has ended meanwhile.
  bool start_coordinator(std::uint64_t term, failover::PoolSnapshot pool);
  // The load for `term` failed: needs_coordinator is asked again after load_retry.
  void coordinator_load_failed(std::uint64_t term);

  // A message from a peer (or this host), e.g. from PeerLink's receiver.
  void receive(const PeerMessage& message);

  // Runs an operator action on the coordinator. `answer` runs on the loop:
  // at once for a refusal, else once every write queued until the action
  // took effect is on disk. Without a coordinator: kNotMasterError, or
  // kCoordinatorStartingError while it loads.
  void act(const CoordinatorAction& action, ActionAnswer answer);

  // For reads (planner questions, records); nullptr unless master.
  const failover::Coordinator* coordinator() const { return coordinator_.get(); }
  bool has_agent() const { return agent_ != nullptr; }

 private:
  struct Outgoing {
    std::uint64_t sequence = 0;
    std::vector<failover::VmRecord> records;
    std::optional<failover::PlanStatus> status;
    std::vector<std::pair<HostIndex, failover::VmCommand>> commands;
  };
  struct WaitingAnswer {
    std::uint64_t sequence = 0;  // answered once this write is on disk
    failover::ApiResult result;
    ActionAnswer answer;
  };

  void update_agent(const HostMembership& membership);
  void update_coordinator(const HostMembership& membership);
  void drop_agent(const std::string& why);
  void stop_coordinator(const std::string& why);
  void request_coordinator();
  void pump_agent();
  void pump_coordinator();
  void persist_next();
  void persisted(std::uint64_t life, std::uint64_t sequence, bool ok);
  void answer_later(ActionAnswer answer, failover::ApiResult result);
  void halted(const std::string& uuid, vm::HaltCause cause);

  VmFailoverConfig config_;
  asio::any_io_executor loop_;
  const io::Clock& clock_;
  vm::VmDriver& driver_;
  PeerSender& sender_;
  CoordinatorPersister& persister_;
  VmFailoverListener listener_;
  HostMembership membership_;

  std::unique_ptr<failover::HostAgent> agent_;
  std::uint32_t agent_incarnation_ = 0;
  std::uint32_t ended_incarnation_ = 0;  // of the last agent dropped
  std::uint64_t agent_life_ = 0;         // driver answers of an earlier agent are ignored
  wire::Membership agent_liveset_;
  LoopTimer agent_timer_;

  std::unique_ptr<failover::Coordinator> coordinator_;
  // Reports that arrived while no coordinator ran (this host was not master
  // yet, or the coordinator was loading the pool database): the next
  // coordinator gets them at once and ignores those of older livesets.
  failover::EarlyReports early_reports_;
  std::uint32_t coordinator_incarnation_ = 0;
  // Grows whenever a coordinator or a load ends; the term of a load.
  std::uint64_t coordinator_life_ = 0;
  bool loading_ = false;
  wire::Membership coordinator_liveset_;
  LoopTimer coordinator_timer_;
  LoopTimer load_retry_timer_;

  std::deque<Outgoing> outbox_;  // persisted in order, front first
  bool persisting_ = false;
  std::uint64_t next_sequence_ = 1;
  std::uint64_t persisted_sequence_ = 0;
  std::vector<WaitingAnswer> waiting_answers_;
  LoopTimer persist_retry_timer_;

  // Callbacks from the driver, the persister and the loop run only while it lives.
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace poolha::daemon
