#include "vm/qemu/qmp_client.h"

#include <asio/connect.hpp>
#include <asio/local/stream_protocol.hpp>
#include <asio/read_until.hpp>
#include <asio/streambuf.hpp>
#include <asio/write.hpp>
#include <cstdint>
#include <deque>
#include <istream>
#include <map>

namespace poolha::vm {

// Shared with every pending asynchronous operation, so buffers and the
// socket outlive the QmpClient object until asio is done with them.
struct QmpClient::State : std::enable_shared_from_this<State> {
  enum class Phase { kIdle, kConnecting, kNegotiating, kReady, kClosed };

  explicit State(asio::io_context& io) : socket(io) {}

  void start_reading();
  void on_line(const std::string& line);
  void send(nlohmann::json message);
  void write_next();
  // Ends the connection; `why` empty when the owner closed it (nobody hears).
  void end(const std::string& why);

  asio::local::stream_protocol::socket socket;
  asio::streambuf input;
  std::deque<std::string> output;
  bool writing = false;
  Phase phase = Phase::kIdle;
  std::uint64_t next_id = 1;
  std::map<std::uint64_t, Reply> pending;
  std::function<void(std::string)> connect_done;
  EventHandler on_event;
  ClosedHandler on_closed;
};

void QmpClient::State::start_reading() {
  asio::async_read_until(socket, input, '\n',
                         [self = shared_from_this()](std::error_code ec, std::size_t) {
                           if (self->phase == Phase::kClosed) return;
                           if (ec) {
                             self->end(ec == asio::error::eof ? "QMP connection closed by QEMU"
                                                              : "QMP read: " + ec.message());
                             return;
                           }
                           std::istream in(&self->input);
                           std::string line;
                           std::getline(in, line);
                           self->on_line(line);
                           if (self->phase != Phase::kClosed) self->start_reading();
                         });
}

void QmpClient::State::on_line(const std::string& line) {
  if (line.find_first_not_of(" \r\t") == std::string::npos) return;
  nlohmann::json message;
  try {
    message = nlohmann::json::parse(line);
  } catch (const nlohmann::json::parse_error& e) {
    end(std::string("QMP sent a line that is not JSON: ") + e.what());
    return;
  }
  if (phase == Phase::kConnecting) {
    if (!message.contains("QMP")) {
      end("QMP greeting expected, got: " + line);
      return;
    }
    phase = Phase::kNegotiating;
    send({{"execute", "qmp_capabilities"}, {"id", 0}});
    return;
  }
  if (message.contains("event")) {
    if (on_event) {
      on_event(message["event"].get<std::string>(),
               message.value("data", nlohmann::json::object()));
    }
    return;
  }
  if (!message.contains("id") || !message["id"].is_number_unsigned()) return;
  const auto id = message["id"].get<std::uint64_t>();
  const bool failed = message.contains("error");
  std::string error;
  if (failed) {
    const auto& e = message["error"];
    error = e.value("class", std::string("Error")) + ": " + e.value("desc", std::string());
  }
  if (phase == Phase::kNegotiating && id == 0) {
    if (failed) {
      end("qmp_capabilities failed: " + error);
      return;
    }
    phase = Phase::kReady;
    if (auto done = std::exchange(connect_done, nullptr)) done({});
    return;
  }
  const auto it = pending.find(id);
  if (it == pending.end()) return;
  Reply reply = std::move(it->second);
  pending.erase(it);
  reply(error, failed ? nlohmann::json() : message.value("return", nlohmann::json::object()));
}

void QmpClient::State::send(nlohmann::json message) {
  output.push_back(message.dump() + "\n");
  if (!writing) write_next();
}

void QmpClient::State::write_next() {
  if (output.empty() || phase == Phase::kClosed) {
    writing = false;
    return;
  }
  writing = true;
  asio::async_write(socket, asio::buffer(output.front()),
                    [self = shared_from_this()](std::error_code ec, std::size_t) {
                      if (self->phase == Phase::kClosed) return;
                      if (ec) {
                        self->end("QMP write: " + ec.message());
                        return;
                      }
                      self->output.pop_front();
                      self->write_next();
                    });
}

void QmpClient::State::end(const std::string& why) {
  if (phase == Phase::kClosed) return;
  const Phase was = phase;
  phase = Phase::kClosed;
  std::error_code ignored;
  socket.close(ignored);
  auto replies = std::exchange(pending, {});
  auto done = std::exchange(connect_done, nullptr);
  auto closed = std::exchange(on_closed, nullptr);
  on_event = nullptr;
  if (why.empty()) return;
  for (auto& [id, reply] : replies) reply(why, nlohmann::json());
  if (done) done(why);
  if (was == Phase::kReady && closed) closed(why);
}

QmpClient::QmpClient(asio::io_context& io) : state_(std::make_shared<State>(io)) {}

QmpClient::~QmpClient() {
  state_->end({});
}

void QmpClient::connect(const std::filesystem::path& socket,
                        std::function<void(std::string error)> done) {
  if (state_->phase != State::Phase::kIdle) {
    done("QMP client already used for a connection");
    return;
  }
  state_->phase = State::Phase::kConnecting;
  state_->connect_done = std::move(done);
  state_->socket.async_connect(
      asio::local::stream_protocol::endpoint(socket.string()),
      [self = state_, socket](std::error_code ec) {
        if (self->phase == State::Phase::kClosed) return;
        if (ec) {
          self->end("connect to QMP socket " + socket.string() + ": " + ec.message());
          return;
        }
        self->start_reading();
      });
}

void QmpClient::execute(const std::string& command, nlohmann::json arguments, Reply reply) {
  if (state_->phase != State::Phase::kReady) {
    reply("QMP is not connected", nlohmann::json());
    return;
  }
  const std::uint64_t id = state_->next_id++;
  nlohmann::json message = {{"execute", command}, {"id", id}};
  if (!arguments.is_null()) message["arguments"] = std::move(arguments);
  state_->pending.emplace(id, std::move(reply));
  state_->send(std::move(message));
}

void QmpClient::set_event_handler(EventHandler handler) {
  state_->on_event = std::move(handler);
}

void QmpClient::set_closed_handler(ClosedHandler handler) {
  state_->on_closed = std::move(handler);
}

bool QmpClient::ready() const {
  return state_->phase == State::Phase::kReady;
}

}  // namespace poolha::vm
