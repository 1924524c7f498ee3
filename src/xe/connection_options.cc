#include "xe/connection_options.h"

#include <optional>
#include <string_view>

#include "xe/cli_error.h"
#include "xe/value_text.h"

namespace poolha::xe {
namespace {

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::string line;
  for (char c : text) {
    if (c == '\n') {
      lines.push_back(line);
      line.clear();
    } else {
      line += c;
    }
  }
  if (!line.empty()) lines.push_back(line);
  for (auto& l : lines) {
    if (!l.empty() && l.back() == '\r') l.pop_back();
  }
  return lines;
}

class OptionReader {
 public:
  explicit OptionReader(ClientOptions& options) : options_(options) {}

  // Applies a connection setting; false when `key` is not one.
  bool apply(std::string_view key, const std::string& value) {
    ConnectionSettings& c = options_.connection;
    if (key == "server") {
      c.server = value;
    } else if (key == "port") {
      const auto port = parse_int64(value);
      if (!port || *port < 0 || *port > 65535) {
        throw CliFailure("Port number must be an integer (0-65535)");
      }
      c.port = static_cast<int>(*port);
    } else if (key == "username") {
      c.username = value;
    } else if (key == "password") {
      c.password = value;
    } else if (key == "passwordfile") {
      password_file_ = value;
    } else if (key == "debug") {
      c.debug = parse_bool(value).value_or(false);
    } else if (key == "nossl") {
      // The client always speaks plain HTTP, which is what --nossl asks for.
    } else {
      return false;
    }
    return true;
  }

  // Takes the connection settings out of `args`, returning the rest in order.
  std::vector<std::string> take_settings(const std::vector<std::string>& args) {
    std::vector<std::string> rest;
    for (std::size_t i = 0; i < args.size(); ++i) {
      const std::string& arg = args[i];
      if (const auto key = switch_key(arg); key && i + 1 < args.size()) {
        apply(*key, args[++i]);
        continue;
      }
      if (arg == "--debug") {
        apply("debug", "true");
        continue;
      }
      if (arg == "--nossl") {
        apply("nossl", "true");
        continue;
      }
      const auto equals = arg.find('=');
      if (equals != std::string::npos &&
          apply(std::string_view(arg).substr(0, equals), arg.substr(equals + 1))) {
        continue;
      }
      rest.push_back(arg);
    }
    return rest;
  }

  const std::optional<std::string>& password_file() const { return password_file_; }

 private:
  static std::optional<std::string_view> switch_key(std::string_view arg) {
    if (arg == "-s" || arg == "-h") return "server";
    if (arg == "-p") return "port";
    if (arg == "-u") return "username";
    if (arg == "-pw") return "password";
    if (arg == "-pwf") return "passwordfile";
    return std::nullopt;
  }

  ClientOptions& options_;
  std::optional<std::string> password_file_;
};

// The key=value lines of ~/.xe. A line without '=' makes the whole file
// unusable, as in xe, which then loads no defaults at all.
std::vector<std::string> rc_file_items(const XeEnvironment& env,
                                       std::vector<std::string>& warnings) {
  const std::string home = env.variable("HOME").value_or("");
  const auto text = env.read_file(home + "/.xe");
  if (!text) return {};
  std::vector<std::string> items;
  for (const auto& line : split_lines(*text)) {
    if (line.empty()) continue;
    if (line.find('=') == std::string::npos) {
      warnings.push_back("Error parsing rc file. No defaults loaded");
      return {};
    }
    items.push_back(line);
  }
  return items;
}

// XE_EXTRA_ARGS: items separated by commas, a comma preceded by a backslash
// being part of the item; backslashes are then dropped.
std::vector<std::string> extra_args_items(const XeEnvironment& env) {
  const auto text = env.variable("XE_EXTRA_ARGS");
  if (!text) return {};
  std::vector<std::string> items;
  std::string item;
  for (std::size_t i = 0; i < text->size(); ++i) {
    const char c = (*text)[i];
    if (c == ',' && (i == 0 || (*text)[i - 1] != '\\')) {
      if (!item.empty()) items.push_back(item);
      item.clear();
    } else if (c != '\\') {
      item += c;
    }
  }
  if (!item.empty()) items.push_back(item);
  return items;
}

}  // namespace

ClientOptions read_client_options(const std::vector<std::string>& args, const XeEnvironment& env) {
  ClientOptions options;
  OptionReader reader(options);

  const std::vector<std::string> rc_rest =
      reader.take_settings(rc_file_items(env, options.warnings));
  const std::vector<std::string> extra_rest = reader.take_settings(extra_args_items(env));

  std::vector<std::string> own;
  for (const auto& arg : args) {
    if (arg == "--help" || arg == "-help") {
      options.help = true;
    } else {
      own.push_back(arg);
    }
  }
  options.command_args = reader.take_settings(own);
  options.command_args.insert(options.command_args.end(), extra_rest.begin(), extra_rest.end());
  options.command_args.insert(options.command_args.end(), rc_rest.begin(), rc_rest.end());

  if (const auto& path = reader.password_file()) {
    const auto text = env.read_file(*path);
    if (!text) throw CliFailure("cannot open password file '" + *path + "'");
    const auto lines = split_lines(*text);
    if (lines.size() < 2) {
      throw CliFailure(
          "password file format: expecting username on the first line, password on the second "
          "line");
    }
    options.connection.username = lines[0];
    options.connection.password = lines[1];
  }
  return options;
}

}  // namespace poolha::xe
