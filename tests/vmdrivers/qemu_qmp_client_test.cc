// The QMP client against a scripted QMP server on a unix socket: the
// greeting and capabilities handshake, replies matched by id, errors,
// events and the connection ending.
#include "vm/qemu/qmp_client.h"

#include <gtest/gtest.h>

#include <asio/local/stream_protocol.hpp>
#include <asio/read_until.hpp>
#include <asio/streambuf.hpp>
#include <asio/write.hpp>
#include <istream>

#include "process_test_support.h"

namespace poolha::vm {
namespace {

using nlohmann::json;
using testing::run_until;
using namespace std::chrono_literals;

constexpr auto kQmpWait = 5s;

// The QEMU side: accepts one client and exchanges JSON lines with it.
class ScriptedQmpServer {
 public:
  ScriptedQmpServer(asio::io_context& io, const std::filesystem::path& path)
      : acceptor_(io, asio::local::stream_protocol::endpoint(path.string())), socket_(io) {
    acceptor_.async_accept(socket_, [this](std::error_code ec) {
      if (ec) return;
      send(json{{"QMP", {{"version", json::object()}, {"capabilities", json::array()}}}});
      read_next();
    });
  }

  void send(const json& message) {
    auto text = std::make_shared<std::string>(message.dump() + "\r\n");
    asio::async_write(socket_, asio::buffer(*text), [text](std::error_code, std::size_t) {});
  }
  void close() { socket_.close(); }
  // Commands received, in order (qmp_capabilities answered by the server).
  const std::vector<json>& received() const { return received_; }

 private:
  void read_next() {
    asio::async_read_until(socket_, input_, '\n', [this](std::error_code ec, std::size_t) {
      if (ec) return;
      std::istream in(&input_);
      std::string line;
      std::getline(in, line);
      const json command = json::parse(line);
      if (command["execute"] == "qmp_capabilities") {
        send(json{{"return", json::object()}, {"id", command["id"]}});
      } else {
        received_.push_back(command);
      }
      read_next();
    });
  }

  asio::local::stream_protocol::acceptor acceptor_;
  asio::local::stream_protocol::socket socket_;
  asio::streambuf input_;
  std::vector<json> received_;
};

class QmpClientTest : public ::testing::Test {
 protected:
  std::filesystem::path socket_path() const { return dir_.path() / "qmp.sock"; }

  void connect(QmpClient& client) {
    std::optional<std::string> error;
    client.connect(socket_path(), [&](std::string e) { error = std::move(e); });
    ASSERT_TRUE(run_until(
        io_, [&] { return error.has_value(); }, kQmpWait));
    ASSERT_EQ(*error, "");
    ASSERT_TRUE(client.ready());
  }

  testing::ScratchDir dir_;
  asio::io_context io_;
};

TEST_F(QmpClientTest, RepliesReachTheCommandThatAskedEvenOutOfOrder) {
  ScriptedQmpServer server(io_, socket_path());
  QmpClient client(io_);
  connect(client);

  std::vector<std::pair<std::string, json>> replies(2);
  client.execute("query-status", nullptr, [&](const std::string& e, const json& r) {
    replies[0] = {e, r};
  });
  client.execute("human-monitor-command", json{{"command-line", "info kvm"}},
                 [&](const std::string& e, const json& r) {
                   replies[1] = {e, r};
                 });
  ASSERT_TRUE(run_until(
      io_, [&] { return server.received().size() == 2; }, kQmpWait));
  EXPECT_EQ(server.received()[0]["execute"], "query-status");
  EXPECT_FALSE(server.received()[0].contains("arguments"));
  EXPECT_EQ(server.received()[1]["arguments"]["command-line"], "info kvm");

  server.send(json{{"error", {{"class", "GenericError"}, {"desc", "no monitor"}}},
                   {"id", server.received()[1]["id"]}});
  server.send(json{{"return", {{"status", "running"}, {"running", true}}},
                   {"id", server.received()[0]["id"]}});
  ASSERT_TRUE(run_until(
      io_, [&] { return !replies[0].second.is_null(); }, kQmpWait));
  EXPECT_EQ(replies[0].first, "");
  EXPECT_EQ(replies[0].second["status"], "running");
  EXPECT_EQ(replies[1].first, "GenericError: no monitor");
}

TEST_F(QmpClientTest, EventsArriveAndTheEndOfTheConnectionIsReported) {
  ScriptedQmpServer server(io_, socket_path());
  QmpClient client(io_);
  std::vector<std::pair<std::string, json>> events;
  std::optional<std::string> closed;
  client.set_event_handler(
      [&](const std::string& event, const json& data) { events.emplace_back(event, data); });
  client.set_closed_handler([&](const std::string& why) { closed = why; });
  connect(client);

  std::optional<std::string> quit_error;
  client.execute("quit", nullptr, [&](const std::string& e, const json&) { quit_error = e; });
  server.send(json{{"event", "SHUTDOWN"},
                   {"data", {{"guest", true}, {"reason", "guest-shutdown"}}},
                   {"timestamp", {{"seconds", 1}, {"microseconds", 2}}}});
  ASSERT_TRUE(run_until(
      io_, [&] { return server.received().size() == 1; }, kQmpWait));
  server.close();
  ASSERT_TRUE(run_until(
      io_, [&] { return closed.has_value(); }, kQmpWait));

  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].first, "SHUTDOWN");
  EXPECT_EQ(events[0].second["reason"], "guest-shutdown");
  ASSERT_TRUE(quit_error.has_value()) << "an unanswered command learns of the end";
  EXPECT_NE(*quit_error, "");
  EXPECT_FALSE(client.ready());
}

TEST_F(QmpClientTest, ConnectingToNothingFailsWithTheReason) {
  QmpClient client(io_);
  std::optional<std::string> error;
  client.connect(socket_path(), [&](std::string e) { error = std::move(e); });
  ASSERT_TRUE(run_until(
      io_, [&] { return error.has_value(); }, kQmpWait));
  EXPECT_NE(error->find(socket_path().string()), std::string::npos) << *error;
  EXPECT_FALSE(client.ready());
  bool answered = false;
  client.execute("query-status", nullptr,
                 [&](const std::string& e, const json&) { answered = !e.empty(); });
  EXPECT_TRUE(answered) << "a command without a connection fails at once";
}

}  // namespace
}  // namespace poolha::vm
