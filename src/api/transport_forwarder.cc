#include "api/transport_forwarder.h"

#include <stdexcept>

#include "api/object_refs.h"
#include "api/xenapi_errors.h"

namespace poolha::api {

TransportForwarder::TransportForwarder(TransportForwarderConfig config, TransportFactory transports,
                                       PostToDispatcher post)
    : config_(std::move(config)), transports_(std::move(transports)), post_(std::move(post)) {
  if (config_.threads == 0) throw std::invalid_argument("the forwarder needs at least one thread");
  if (config_.local_host_uuid.empty() || config_.pool_secret.empty()) {
    throw std::invalid_argument("the forwarder needs this host's uuid and the pool secret");
  }
  for (std::size_t i = 0; i < config_.threads; ++i) workers_.emplace_back([this] { work(); });
}

TransportForwarder::~TransportForwarder() {
  std::deque<Job> abandoned;
  {
    std::lock_guard lock(jobs_mutex_);
    stopping_ = true;
    abandoned.swap(jobs_);
  }
  jobs_ready_.notify_all();
  for (std::thread& worker : workers_) worker.join();
  for (Job& job : abandoned) {
    post_([reply = std::move(job.reply)] {
      reply(Outcome::failure(errors::internal_error("this host is shutting down its API")));
    });
  }
}

void TransportForwarder::forward(ForwardedCall call, Reply reply) {
  {
    std::lock_guard lock(jobs_mutex_);
    jobs_.push_back(Job{std::move(call), std::move(reply)});
  }
  jobs_ready_.notify_one();
}

void TransportForwarder::work() {
  while (true) {
    Job job;
    {
      std::unique_lock lock(jobs_mutex_);
      jobs_ready_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (stopping_) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    Outcome outcome = run(job.call);
    post_([reply = std::move(job.reply), outcome = std::move(outcome)]() mutable {
      reply(std::move(outcome));
    });
  }
}

Outcome TransportForwarder::run(const ForwardedCall& call) {
  try {
    std::unique_ptr<RpcTransport> transport = transports_(call.master_address);
    if (!call.takes_session) return Outcome::success(transport->call(call.method, call.params));
    for (int attempt = 0;; ++attempt) {
      nlohmann::json params = call.params;
      params[0] = master_session(*transport, call.master_address, attempt > 0);
      try {
        return Outcome::success(transport->call(call.method, params));
      } catch (const XenApiError& error) {
        // The master restarted or expired our session: log in once more.
        if (error.code() == errors::kSessionInvalid && attempt == 0) continue;
        throw;
      }
    }
  } catch (const XenApiError& error) {
    return Outcome::failure(error);
  } catch (const TransportError& error) {
    return Outcome::failure(errors::cannot_contact_host(call.master_address, error.what()));
  } catch (const std::exception& error) {
    return Outcome::failure(errors::internal_error(error.what()));
  }
}

std::string TransportForwarder::master_session(RpcTransport& transport, const std::string& address,
                                               bool renew) {
  std::lock_guard lock(session_mutex_);
  if (!renew && address == session_address_ && !session_ref_.empty()) return session_ref_;
  session_ref_.clear();
  const nlohmann::json session =
      transport.call("session.slave_login",
                     nlohmann::json::array({ref_of(config_.local_host_uuid), config_.pool_secret}));
  if (!session.is_string()) {
    throw TransportError("session.slave_login answered something other than a reference");
  }
  session_address_ = address;
  session_ref_ = session.get<std::string>();
  return session_ref_;
}

}  // namespace poolha::api
