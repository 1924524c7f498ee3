#include "xe_harness.h"

#include <memory>
#include <regex>
#include <sstream>
#include <stdexcept>

#include "xe/xe_main.h"

namespace poolha::xe::testing {
namespace {

// Hands calls to the harness's long-lived fake server.
class ForwardingTransport : public api::RpcTransport {
 public:
  explicit ForwardingTransport(api::RpcTransport& target) : target_(target) {}
  nlohmann::json call(const std::string& method, const nlohmann::json& params) override {
    return target_.call(method, params);
  }

 private:
  api::RpcTransport& target_;
};

}  // namespace

XeHarness::XeHarness() {
  variables["HOME"] = kHome;
  files[std::string(kHome) + "/.xe"] =
      "server=10.0.0.1\nusername=root\npassword=" + std::string(kPassword) + "\n";
}

XeRun XeHarness::run(const std::vector<std::string>& args) {
  XeEnvironment env{
      [this](const std::string& name) -> std::optional<std::string> {
        const auto found = variables.find(name);
        if (found == variables.end()) return std::nullopt;
        return found->second;
      },
      [this](const std::string& path) -> std::optional<std::string> {
        const auto found = files.find(path);
        if (found == files.end()) return std::nullopt;
        return found->second;
      },
  };
  const TransportFactory connect =
      [this](const ConnectionSettings& settings) -> std::unique_ptr<api::RpcTransport> {
    ++connections;
    last_settings = settings;
    if (refuse_connections) throw api::TransportError(*refuse_connections);
    return std::make_unique<ForwardingTransport>(server);
  };
  std::ostringstream out;
  std::ostringstream err;
  XeRun result;
  result.status = run_xe(args, env, connect, out, err);
  result.out = out.str();
  result.err = err.str();
  return result;
}

XeRun XeHarness::run_line(std::string_view line) {
  ShellState state{variables, nullptr};
  state.run = [](const std::string&) -> std::string {
    throw std::runtime_error("no command substitution in a single xe line");
  };
  auto words = shell_words(line, state);
  if (words.empty() || words.front() != "xe") throw std::runtime_error("not an xe command line");
  words.erase(words.begin());
  return run(words);
}

ScriptRunner::ScriptRunner(XeHarness& xe) : xe_(xe) {
  shell_.run = [this](const std::string& command) {
    ShellState inner = shell_;
    return run_command(shell_words(command, inner));
  };
}

std::string ScriptRunner::run_command(const std::vector<std::string>& words) {
  if (words.empty()) return "";
  if (words.front() == "echo") {
    std::string line;
    for (std::size_t i = 1; i < words.size(); ++i) line += (i > 1 ? " " : "") + words[i];
    return line + "\n";
  }
  if (words.front() != "xe")
    throw std::runtime_error("the script runner only knows xe and echo: " + words.front());
  const XeRun result = xe_.run(std::vector<std::string>(words.begin() + 1, words.end()));
  runs_.push_back(result);
  return result.out;
}

void ScriptRunner::run(std::string_view script) {
  static const std::regex assignment(R"(^([A-Za-z_][A-Za-z0-9_]*)=(\S*)$)");
  std::istringstream lines{std::string(script)};
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("$ ", 0) == 0) line.erase(0, 2);
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    std::smatch match;
    // A substitution may hold blanks inside its backquotes; the value is one word.
    const bool backquoted = line.find('`') != std::string::npos;
    static const std::regex substituted(R"(^([A-Za-z_][A-Za-z0-9_]*)=(`[^`]*`)$)");
    if (std::regex_match(line, match, backquoted ? substituted : assignment)) {
      shell_.variables[match[1]] = shell_expand_word(match[2].str(), shell_);
      continue;
    }
    output_ += run_command(shell_words(line, shell_));
  }
}

}  // namespace poolha::xe::testing
