// A QMP (QEMU Machine Protocol) client over a unix socket, on the owner's
// event loop: negotiates capabilities, runs commands and hands over events.
// QMP is line-delimited JSON; replies are matched to commands by "id".
#pragma once

#include <asio/io_context.hpp>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

namespace poolha::vm {

class QmpClient {
 public:
  // `error` is empty on success; `result` is the command's "return" value.
  using Reply = std::function<void(const std::string& error, const nlohmann::json& result)>;
  using EventHandler = std::function<void(const std::string& event, const nlohmann::json& data)>;
  using ClosedHandler = std::function<void(const std::string& why)>;

  explicit QmpClient(asio::io_context& io);
  // Closes the connection; none of the handlers runs after this.
  ~QmpClient();
  QmpClient(const QmpClient&) = delete;
  QmpClient& operator=(const QmpClient&) = delete;

  // Connects, reads QEMU's greeting and sends qmp_capabilities; `done` gets
  // an empty string once commands can be run, else why not. One connection
  // per client object.
  void connect(const std::filesystem::path& socket, std::function<void(std::string error)> done);
  // Runs a command (`arguments` null for none). Without a ready connection
  // `reply` gets an error at once, inside this call; a connection that ends
  // before the answer answers with an error too.
  void execute(const std::string& command, nlohmann::json arguments, Reply reply);

  void set_event_handler(EventHandler handler);
  // The connection ended after connect() succeeded: QEMU exited or closed it.
  void set_closed_handler(ClosedHandler handler);
  bool ready() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace poolha::vm
