#include "fence/process_fencer_client.h"

#include <fmt/format.h>

#include <asio.hpp>
#include <utility>

#include "fence/fencer_protocol.h"

namespace poolha::fence {

// One connection with synchronous request/reply exchanges, each bounded by
// a timeout (asio's blocking calls have none, so this runs the async calls
// for at most that long).
class ProcessFencerClient::Connection {
 public:
  explicit Connection(const std::filesystem::path& path) : path_(path) {
    asio::error_code error;
    socket_.connect(asio::local::stream_protocol::endpoint(path.string()), error);
    if (error) {
      throw FenceError(
          fmt::format("no fencer listening at {} (connect: {})", path.string(), error.message()));
    }
  }

  FencerReply exchange(const FencerRequest& request, Duration timeout) {
    const std::string line = format_request(request);
    asio::error_code write_error;
    asio::error_code read_error;
    bool answered = false;
    std::size_t length = 0;
    asio::async_write(socket_, asio::buffer(line),
                      [&](const asio::error_code& error, std::size_t) { write_error = error; });
    asio::async_read_until(socket_, input_, '\n',
                           [&](const asio::error_code& error, std::size_t n) {
                             read_error = error;
                             length = n;
                             answered = true;
                           });
    io_.restart();
    io_.run_for(std::chrono::duration_cast<std::chrono::nanoseconds>(timeout));
    if (!answered) {
      asio::error_code ignored;
      socket_.close(ignored);
      io_.restart();
      io_.run();  // lets the cancelled handlers finish before their captures go away
      throw FenceError(fmt::format("the fencer at {} did not answer within {} ms", path_.string(),
                                   timeout.count() / 1000));
    }
    if (write_error) {
      throw FenceError(fmt::format("cannot talk to the fencer at {}: {}", path_.string(),
                                   write_error.message()));
    }
    if (read_error) {
      throw FenceError(fmt::format("the fencer at {} closed the connection ({})", path_.string(),
                                   read_error.message()));
    }
    // The buffer sequence must outlive its iterators, so it gets a name.
    const auto data = input_.data();
    const std::string text(asio::buffers_begin(data),
                           asio::buffers_begin(data) + static_cast<std::ptrdiff_t>(length) - 1);
    input_.consume(length);
    auto reply = parse_reply(text);
    if (const auto* problem = std::get_if<std::string>(&reply)) {
      throw FenceError(
          fmt::format("the fencer at {} answered nonsense: {}", path_.string(), *problem));
    }
    return std::get<FencerReply>(std::move(reply));
  }

 private:
  std::filesystem::path path_;
  asio::io_context io_;
  asio::local::stream_protocol::socket socket_{io_};
  asio::streambuf input_{kMaxProtocolLine + 1};
};

ProcessFencerClient::ProcessFencerClient(ProcessFencerClientOptions options)
    : options_(std::move(options)) {}

ProcessFencerClient::~ProcessFencerClient() = default;

namespace {

// Throws unless the reply is OK; `what` names the request for the error.
void expect_ok(const FencerReply& reply, std::string_view what) {
  if (reply.kind != FencerReply::Kind::kOk) {
    throw FenceError(fmt::format("the fencer refused {}: {}", what, reply.text));
  }
}

}  // namespace

std::optional<std::string> ProcessFencerClient::check() {
  try {
    if (!connection_) connection_ = std::make_unique<Connection>(options_.socket_path);
    const FencerReply reply =
        request({FencerRequest::Kind::kStatus, {}, {}}, options_.reply_timeout);
    if (reply.kind != FencerReply::Kind::kOk) {
      return fmt::format("the fencer at {} refused a status request: {}",
                         options_.socket_path.string(), reply.text);
    }
    return std::nullopt;
  } catch (const FenceError& error) {
    return std::string(error.what());
  }
}

void ProcessFencerClient::arm(Duration timeout) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(timeout);
  if (ms.count() < 1 || ms > kMaxArmTimeout) {
    throw FenceError(fmt::format("watchdog timeout {} us is outside 1 ms .. 1 h", timeout.count()));
  }
  if (!connection_) connection_ = std::make_unique<Connection>(options_.socket_path);
  expect_ok(request({FencerRequest::Kind::kArm, ms, {}}, options_.reply_timeout), "to arm");
  armed_ = true;
}

void ProcessFencerClient::kick() {
  if (!connection_ && !armed_) throw FenceError("kick before arm: the fencer is not armed");
  expect_ok(request({FencerRequest::Kind::kKick, {}, {}}, options_.reply_timeout), "a kick");
}

void ProcessFencerClient::disarm() {
  if (!connection_ && !armed_) return;  // never armed: nothing to disarm
  expect_ok(request({FencerRequest::Kind::kDisarm, {}, {}}, options_.reply_timeout), "to disarm");
  armed_ = false;
}

void ProcessFencerClient::fence_now(const std::string& reason) {
  const FencerReply reply =
      request({FencerRequest::Kind::kFence, {}, reason}, options_.fence_timeout);
  if (reply.kind != FencerReply::Kind::kFenced) {
    throw FenceError("the fencer did not fence: " + reply.text);
  }
  // The fencer ends the daemon's session with the fence.
  connection_.reset();
  armed_ = false;
}

FencerReply ProcessFencerClient::request(const FencerRequest& request, Duration timeout) {
  if (!connection_) {
    throw FenceError(fmt::format("not connected to the fencer at {}{}",
                                 options_.socket_path.string(),
                                 lost_.empty() ? "" : "; the connection was lost: " + lost_));
  }
  try {
    return connection_->exchange(request, timeout);
  } catch (const FenceError& error) {
    // The session is over; reconnecting is arm()'s decision, never silent.
    connection_.reset();
    lost_ = error.what();
    throw;
  }
}

}  // namespace poolha::fence
