#include "xe/xe_main.h"

#include <memory>
#include <optional>

#include "xe/api_client.h"
#include "xe/cli_error.h"
#include "xe/command_line.h"
#include "xe/command_table.h"
#include "xe/debug_transport.h"
#include "xe/error_text.h"
#include "xe/help.h"
#include "xe/printer.h"

namespace poolha::xe {
namespace {

constexpr int kFailure = 1;
constexpr std::string_view kUsageHint = "For usage run: 'xe help'";

void print_lines(std::ostream& stream, const std::vector<std::string>& lines) {
  for (const auto& line : lines) stream << line << '\n';
}

// Connects, logs in, runs the command and logs out. XenAPI and transport
// failures are reported here, where the session's knowledge of object
// names is at hand; the other failures propagate to run_xe.
int run_on_server(const CommandSpec& spec, const Params& params, const ConnectionSettings& settings,
                  const TransportFactory& connect, Printer& printer, std::ostream& err) {
  std::unique_ptr<api::RpcTransport> connection;
  std::unique_ptr<DebugTransport> debug;
  bool logged_in = false;
  std::optional<ApiClient> api;
  try {
    connection = connect(settings);
    api::RpcTransport* transport = connection.get();
    if (settings.debug) {
      debug = std::make_unique<DebugTransport>(*connection, err);
      transport = debug.get();
    }
    api.emplace(*transport);
    try {
      api->login(settings.username, settings.password);
    } catch (const api::XenApiError& e) {
      if (e.code() != "SESSION_AUTHENTICATION_FAILED") throw;
      err << (settings.username.empty() ? "Username/password must be specified"
                                        : "Authentication failed")
          << '\n'
          << kUsageHint << '\n';
      return kFailure;
    }
    logged_in = true;
    CommandContext context{params, *api, printer};
    try {
      spec.run(context);
    } catch (const api::TransportError&) {
      throw;  // the connection is gone: logging out would only wait for it again
    } catch (...) {
      static_cast<void>(api->logout());
      throw;
    }
    printer.finish();
    // The command has succeeded; a failed logout only leaves a session for
    // the server to expire, so it does not change the outcome.
    if (const auto failure = api->logout(); failure && settings.debug) {
      err << "logout failed: " << *failure << '\n';
    }
    return 0;
  } catch (const api::XenApiError& e) {
    print_lines(err, xenapi_error_lines(e.description(), [&api](const std::string& text) {
                  return api ? api->describe(text) : text;
                }));
    return kFailure;
  } catch (const BadAnswer& e) {
    err << "Error: unexpected answer from the server: " << e.what() << '\n';
    return kFailure;
  } catch (const nlohmann::json::exception& e) {
    err << "Error: unexpected answer from the server: " << e.what() << '\n';
    return kFailure;
  } catch (const api::TransportError& e) {
    if (logged_in) {
      err << "Lost connection to the server.\n";
    } else {
      err << "Unable to contact server. Please check server and port settings.\n";
    }
    err << "(" << settings.server << ":" << settings.port << ": " << e.what() << ")\n";
    return kFailure;
  }
}

}  // namespace

int run_xe(const std::vector<std::string>& args, const XeEnvironment& env,
           const TransportFactory& connect, std::ostream& out, std::ostream& err) {
  try {
    const ClientOptions options = read_client_options(args, env);
    print_lines(err, options.warnings);
    if (options.command_args.empty()) {
      // As xe: asking for nothing, or for help, prints the usage and succeeds.
      print_usage(err);
      return 0;
    }
    const CommandLine line = parse_command_line(options.command_args);
    Printer printer(out, line.params.flag("minimal"));
    if (line.name == "help" || options.help) {
      Params named = line.params;
      if (line.name != "help") named = Params({{line.name, ""}});
      print_help(command_table(), named, printer);
      printer.finish();
      return 0;
    }
    const CommandSpec* spec = command_table().find(line.name);
    if (spec == nullptr) throw UnknownCommand(line.name);
    check_params(*spec, line.params);
    return run_on_server(*spec, line.params, options.connection, connect, printer, err);
  } catch (const UnknownCommand& e) {
    err << "Unknown command: " << e.what() << '\n' << kUsageHint << '\n';
  } catch (const SyntaxError& e) {
    err << "Syntax error: " << e.what() << '\n' << kUsageHint << '\n';
  } catch (const ParamNotFound& e) {
    err << "Required parameter not found: " << e.what() << '\n' << kUsageHint << '\n';
  } catch (const FieldNotFound& e) {
    err << "Error code: Missing parameter\nError parameters: " << e.what() << '\n';
  } catch (const MultipleFailure& e) {
    // xe prints these on standard output, one line (or block) per object.
    for (const auto& [uuid, message] : e.failures())
      out << "operation failed on " << uuid << ": " << message << '\n';
  } catch (const CliFailure& e) {
    err << "Error: " << e.what() << '\n';
  }
  return kFailure;
}

}  // namespace poolha::xe
