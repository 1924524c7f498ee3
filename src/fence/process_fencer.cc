#include "fence/process_fencer.h"

#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <asio.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <set>
#include <stdexcept>
#include <system_error>

#include "common/check.h"
#include "fence/fencer_core.h"
#include "fence/fencer_protocol.h"
#include "fence/pidfd.h"
#include "fence/process_fence.h"

namespace poolha::fence {
namespace {

using Socket = asio::local::stream_protocol::socket;
using Endpoint = asio::local::stream_protocol::endpoint;

TimePoint monotonic_now() {
  return TimePoint(
      std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now().time_since_epoch()));
}

// FencerCore's time line is the steady clock's, in microseconds.
std::chrono::steady_clock::time_point as_steady(TimePoint t) {
  return std::chrono::steady_clock::time_point(
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(t.time_since_epoch()));
}

// One connected client; the one that armed the fencer is "the daemon".
struct Session {
  Session(Socket connected, ucred credentials, int process_fd)
      : socket(std::move(connected)), peer(credentials), pidfd(process_fd) {}
  ~Session() { ::close(pidfd); }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  Socket socket;
  asio::streambuf input{kMaxProtocolLine + 1};
  std::string output;
  ucred peer;
  int pidfd;
};

// Refuses to replace a socket some other fencer still answers on.
void remove_stale_socket(asio::io_context& io, const std::filesystem::path& path) {
  std::error_code status_error;
  const auto status = std::filesystem::symlink_status(path, status_error);
  if (status_error || status.type() == std::filesystem::file_type::not_found) return;
  if (status.type() != std::filesystem::file_type::socket) {
    throw std::runtime_error(path.string() + " exists and is not a socket; not replacing it");
  }
  Socket probe(io);
  asio::error_code connect_error;
  probe.connect(Endpoint(path.string()), connect_error);
  if (!connect_error) {
    throw std::runtime_error("a fencer is already listening at " + path.string());
  }
  std::filesystem::remove(path);
}

}  // namespace

class ProcessFencer::Impl {
 public:
  explicit Impl(FencerOptions options) : options_(std::move(options)) {
    if (options_.host_name.empty()) options_.host_name = local_host_name();
    const std::filesystem::path& path = options_.socket_path;
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
    remove_stale_socket(io_, path);
    acceptor_.open();
    acceptor_.bind(Endpoint(path.string()));
    // Only the daemon's user (root in production) may arm or kick; the
    // SO_PEERCRED check on every connection enforces the same.
    if (::chmod(path.c_str(), 0600) != 0) {
      throw std::system_error(errno, std::generic_category(), "chmod " + path.string());
    }
    acceptor_.listen();
    spdlog::info("fencer: listening at {} (state {}, VM registry {}{})", path.string(),
                 options_.state_dir.string(), options_.vm_registry_dir.string(),
                 options_.reset_tcp_on_fence ? "; a fence resets TCP connections" : "");
    accept_next();
  }

  ~Impl() { shutdown(); }

  void stop_on_termination_signals() {
    signals_.emplace(io_, SIGTERM, SIGINT);
    signals_->async_wait([this](const asio::error_code& error, int signal) {
      if (error) return;
      spdlog::info("fencer: signal {} received, stopping", signal);
      shutdown();
    });
  }

  void run() { io_.run(); }
  void stop() {
    asio::post(io_, [this] { shutdown(); });
  }

 private:
  void accept_next() {
    acceptor_.async_accept([this](const asio::error_code& error, Socket socket) {
      if (stopped_) return;
      if (!error) {
        admit(std::move(socket));
        accept_next();
        return;
      }
      // Out of descriptors, say: retrying at once would spin and starve the
      // daemon of the CPU it needs to keep kicking.
      spdlog::error("fencer: accept failed: {}; retrying in 100 ms", error.message());
      accept_retry_.expires_after(std::chrono::milliseconds(100));
      accept_retry_.async_wait([this](const asio::error_code& cancelled) {
        if (!cancelled && !stopped_) accept_next();
      });
    });
  }

  void admit(Socket socket) {
    ucred peer{};
    socklen_t length = sizeof peer;
    if (::getsockopt(socket.native_handle(), SOL_SOCKET, SO_PEERCRED, &peer, &length) != 0) {
      spdlog::error("fencer: cannot read the peer's credentials: {}", std::strerror(errno));
      return;
    }
    if (peer.uid != 0 && peer.uid != ::geteuid()) {
      refuse(socket, fmt::format("uid {} may not use this fencer", peer.uid));
      return;
    }
    // Killing through a pidfd cannot hit another process that reused the pid.
    const int pidfd = open_pidfd(peer.pid);
    if (pidfd < 0) {
      refuse(socket, fmt::format("cannot open pid {}: {}", peer.pid, std::strerror(errno)));
      return;
    }
    auto session = std::make_shared<Session>(std::move(socket), peer, pidfd);
    sessions_.insert(session);
    spdlog::info("fencer: connection from pid {} (uid {})", peer.pid, peer.uid);
    read_next(session);
  }

  static void refuse(Socket& socket, const std::string& why) {
    spdlog::warn("fencer: refusing a connection: {}", why);
    asio::error_code ignored;
    asio::write(socket, asio::buffer(format_reply({FencerReply::Kind::kError, why})), ignored);
  }

  void read_next(const std::shared_ptr<Session>& session) {
    asio::async_read_until(session->socket, session->input, '\n',
                           [this, session](const asio::error_code& error, std::size_t length) {
                             on_line(session, error, length);
                           });
  }

  void on_line(const std::shared_ptr<Session>& session, const asio::error_code& error,
               std::size_t length) {
    if (error == asio::error::not_found) {
      send(session, {FencerReply::Kind::kError, "line too long"}, false);
      return;
    }
    if (error) {
      closed(session);
      return;
    }
    // The buffer sequence must outlive its iterators, so it gets a name.
    const auto data = session->input.data();
    std::string line(asio::buffers_begin(data),
                     asio::buffers_begin(data) + static_cast<std::ptrdiff_t>(length) - 1);
    session->input.consume(length);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const FencerReply reply = handle(session, line);
    reschedule();
    send(session, reply, true);
  }

  void send(const std::shared_ptr<Session>& session, const FencerReply& reply, bool keep_open) {
    if (!sessions_.contains(session)) return;  // fenced or stopped meanwhile
    session->output = format_reply(reply);
    asio::async_write(session->socket, asio::buffer(session->output),
                      [this, session, keep_open](const asio::error_code& error, std::size_t) {
                        if (error || !keep_open) {
                          closed(session);
                          return;
                        }
                        read_next(session);
                      });
  }

  FencerReply handle(const std::shared_ptr<Session>& session, std::string_view line) {
    auto parsed = parse_request(line);
    if (const auto* problem = std::get_if<std::string>(&parsed)) {
      return {FencerReply::Kind::kError, *problem};
    }
    const FencerRequest& request = std::get<FencerRequest>(parsed);
    const TimePoint now = monotonic_now();
    // A deadline that passed before this request is fenced first.
    core_.tick(now);
    carry_out_pending_fence();
    if (request.kind == FencerRequest::Kind::kStatus) return status();
    if (owner_ && owner_ != session) {
      return {FencerReply::Kind::kError,
              fmt::format("armed by the daemon with pid {}; only its connection may change that",
                          owner_->peer.pid)};
    }
    switch (request.kind) {
      case FencerRequest::Kind::kStatus:
        break;
      case FencerRequest::Kind::kArm:
        core_.arm(now, request.timeout);
        owner_ = session;
        spdlog::info("fencer: armed by pid {} with a {} ms timeout", session->peer.pid,
                     to_ms(request.timeout));
        return {FencerReply::Kind::kOk, ""};
      case FencerRequest::Kind::kKick:
        if (!core_.kick(now)) return {FencerReply::Kind::kError, "not armed"};
        return {FencerReply::Kind::kOk, ""};
      case FencerRequest::Kind::kDisarm:
        if (core_.armed()) spdlog::info("fencer: disarmed by pid {}", session->peer.pid);
        core_.disarm(now);
        owner_.reset();
        return {FencerReply::Kind::kOk, ""};
      case FencerRequest::Kind::kFence:
        if (!core_.fence_request(now, request.reason)) {
          return {FencerReply::Kind::kError, "not armed: a disarmed fencer fences nothing"};
        }
        // The reply went out with the fence; this session is closed now.
        if (carry_out_pending_fence()) return {FencerReply::Kind::kFenced, ""};
        break;
    }
    return {FencerReply::Kind::kError, "internal error: request not handled"};
  }

  FencerReply status() const {
    if (!core_.armed()) return {FencerReply::Kind::kOk, "disarmed"};
    return {FencerReply::Kind::kOk,
            fmt::format("armed {} pid {}", to_ms(core_.timeout()), owner_->peer.pid)};
  }

  void closed(const std::shared_ptr<Session>& session) {
    if (sessions_.erase(session) == 0) return;
    asio::error_code ignored;
    session->socket.close(ignored);
    spdlog::info("fencer: pid {} disconnected", session->peer.pid);
    if (owner_ == session) {
      core_.peer_gone(monotonic_now());
      carry_out_pending_fence();
      owner_.reset();
      reschedule();
    }
  }

  // Returns a one-line summary when a fence was carried out.
  std::optional<std::string> carry_out_pending_fence() {
    const std::optional<FenceOrder> order = core_.take_fence();
    if (!order) return std::nullopt;
    POOLHA_CHECK(owner_ != nullptr, "an armed fencer has the daemon that armed it");
    const ProcessFenceTargets targets{owner_->peer.pid, owner_->pidfd, options_.vm_registry_dir,
                                      options_.reset_tcp_on_fence};
    const FenceRecord record = carry_out_process_fence(
        *order, targets, {options_.state_dir, options_.host_name, "process fencer"});
    std::size_t vm_groups_killed = 0;
    std::string daemon_outcome = "no daemon";
    for (const FenceAction& action : record.actions) {
      if (action.kind == FenceAction::Kind::kKillDaemon) daemon_outcome = describe_action(action);
      if (action.kind == FenceAction::Kind::kKillVmGroup &&
          action.outcome == FenceAction::Outcome::kDone) {
        ++vm_groups_killed;
      }
    }
    const std::string summary = fmt::format(
        "{}; {} VM process groups killed; {} problems; record in {}", daemon_outcome,
        vm_groups_killed, record.problems.size(), fence_record_path(options_.state_dir).string());
    spdlog::critical("fencer: fenced: {}", summary);
    // Normally the daemon is dead by now. Should it have survived (its kill
    // was refused or failed), it learns the outcome; the write must not
    // block the fencer, so whatever does not fit at once is dropped.
    const std::shared_ptr<Session> daemon = std::exchange(owner_, nullptr);
    sessions_.erase(daemon);
    asio::error_code ignored;
    daemon->socket.non_blocking(true, ignored);
    daemon->socket.write_some(asio::buffer(format_reply({FencerReply::Kind::kFenced, summary})),
                              ignored);
    daemon->socket.close(ignored);
    return summary;
  }

  void reschedule() {
    const std::optional<TimePoint> deadline = core_.deadline();
    if (!deadline) {
      timer_.cancel();
      return;
    }
    timer_.expires_at(as_steady(*deadline));
    timer_.async_wait([this](const asio::error_code& error) {
      if (error || stopped_) return;  // cancelled: rescheduled or stopped
      core_.tick(monotonic_now());
      carry_out_pending_fence();
      reschedule();
    });
  }

  void shutdown() {
    if (stopped_) return;
    stopped_ = true;
    core_.stopping(monotonic_now());
    carry_out_pending_fence();
    owner_.reset();
    asio::error_code ignored;
    acceptor_.close(ignored);
    timer_.cancel();
    accept_retry_.cancel();
    if (signals_) signals_->cancel(ignored);
    for (const auto& session : sessions_) session->socket.close(ignored);
    sessions_.clear();
    std::error_code remove_error;
    std::filesystem::remove(options_.socket_path, remove_error);
    spdlog::info("fencer: stopped");
  }

  FencerOptions options_;
  asio::io_context io_;
  asio::local::stream_protocol::acceptor acceptor_{io_};
  asio::steady_timer timer_{io_};
  asio::steady_timer accept_retry_{io_};
  std::optional<asio::signal_set> signals_;
  FencerCore core_;
  std::set<std::shared_ptr<Session>> sessions_;
  std::shared_ptr<Session> owner_;  // set exactly while core_ is armed
  bool stopped_ = false;
};

ProcessFencer::ProcessFencer(FencerOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}
ProcessFencer::~ProcessFencer() = default;
void ProcessFencer::stop_on_termination_signals() {
  impl_->stop_on_termination_signals();
}
void ProcessFencer::run() {
  impl_->run();
}
void ProcessFencer::stop() {
  impl_->stop();
}

}  // namespace poolha::fence
