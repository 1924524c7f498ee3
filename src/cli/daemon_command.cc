#include "cli/daemon_command.h"

#include <spdlog/spdlog.h>

#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>
#include <csignal>
#include <exception>
#include <iostream>
#include <memory>

#include "daemon/config.h"
#include "daemon/host/host_daemon.h"
#include "daemon/ops/daemon_logging.h"

namespace poolha::cli {
namespace {

struct DaemonOptions {
  std::string config;
  std::string log_level = "info";
  std::string log_format = "text";
};

int run_daemon(const DaemonOptions& options) {
  daemon::DaemonConfig config;
  try {
    config = daemon::load_config(options.config);
    daemon::LoggingOptions logging;
    logging.level = options.log_level;
    logging.format = options.log_format;
    logging.host_name = config.self().name;
    logging.host_uuid = config.host_uuid;
    daemon::setup_logging(logging);
  } catch (const std::exception& e) {
    std::cerr << "poolha daemon: " << e.what() << "\n";
    return 2;
  }
  // A VM process or a peer that closes a socket must not kill the daemon.
  std::signal(SIGPIPE, SIG_IGN);
  try {
    asio::io_context io;
    auto host = std::make_unique<daemon::HostDaemon>(io, config);
    asio::signal_set signals(io, SIGINT, SIGTERM);
    int signals_seen = 0;
    std::function<void()> wait_for_signal;
    wait_for_signal = [&] {
      signals.async_wait([&](const std::error_code& error, int number) {
        if (error) return;
        if (++signals_seen == 1) {
          spdlog::info("signal {}: stopping cleanly (again to stop at once)", number);
          host->shutdown([&io] { io.stop(); });
          wait_for_signal();
        } else {
          spdlog::warn("signal {} again: stopping at once", number);
          io.stop();
        }
      });
    };
    wait_for_signal();
    host->start();
    io.run();
    host.reset();
    spdlog::info("stopped");
    return 0;
  } catch (const std::exception& e) {
    spdlog::critical("{}", e.what());
    return 1;
  }
}

}  // namespace

void add_daemon_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<DaemonOptions>();
  CLI::App* command = app.add_subcommand("daemon", "run this host's HA daemon in the foreground");
  command->add_option("--config", options->config, "the host's configuration file (TOML)")
      ->required()
      ->check(CLI::ExistingFile);
  command
      ->add_option("--log-level", options->log_level,
                   "trace, debug, info, warn, error, critical or off")
      ->capture_default_str();
  command->add_option("--log-format", options->log_format, "text, or json for one object a line")
      ->capture_default_str();
  command->callback([options, &exit_code] { exit_code = run_daemon(*options); });
}

}  // namespace poolha::cli
