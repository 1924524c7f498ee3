// Every xe command of the user's seed documents, run verbatim against a live
// three-host pool (DESIGN §2: "Every command in seeds/ must work verbatim").
// The command lines are read from the documents themselves: a line that,
// after an optional "$ " prompt, starts with "xe ", and a shell assignment
// NAME=`xe ...` whose output later lines use as $NAME. Commands quoted
// inside prose are listed explicitly (and checked to be in the document).
// Placeholders (<SR_UUID>, <Pool_UUID>, <VM_UUID>) are replaced by real
// uuids; then the commands run in an operator's order, each checked for
// exit status 0 and for having done what it says.
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <sstream>

#include <gtest/gtest.h>

#include "integration_pool.h"

namespace poolha::integration {
namespace {

namespace fs = std::filesystem;

struct SeedCommand {
  std::string source;              // "file:line"
  std::string text;                // the command line as written
  std::string assigns;             // NAME for NAME=`xe ...`; empty otherwise
  std::vector<std::string> words;  // what follows "xe"
};

// Commands that a seed mentions only inside a sentence.
const std::vector<std::pair<std::string, std::string>> kProseCommands = {
    {"mis-configured-ha-hazards.txt", "xe host-emergency-ha-disable force=true"},
};

std::vector<std::string> split_words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> words;
  std::string word;
  while (in >> word) words.push_back(word);
  return words;
}

std::string trimmed(std::string text) {
  const auto not_space = [](unsigned char c) { return !std::isspace(c); };
  text.erase(text.begin(), std::find_if(text.begin(), text.end(), not_space));
  text.erase(std::find_if(text.rbegin(), text.rend(), not_space).base(), text.end());
  return text;
}

// The command on one line of a seed, if the line is one.
std::optional<SeedCommand> command_on_line(std::string line) {
  line = trimmed(line);
  if (line.rfind("$ ", 0) == 0) line = trimmed(line.substr(2));
  SeedCommand command;
  command.text = line;
  if (line.rfind("xe ", 0) != 0) {
    // NAME=`xe ...`
    const std::size_t equals = line.find("=`xe ");
    if (equals == std::string::npos || equals == 0 || line.back() != '`') return std::nullopt;
    const std::string name = line.substr(0, equals);
    const bool is_name = std::all_of(name.begin(), name.end(),
                                     [](unsigned char c) { return std::isalnum(c) || c == '_'; });
    if (!is_name) return std::nullopt;
    command.assigns = name;
    line = line.substr(equals + 2, line.size() - equals - 3);
  }
  command.words = split_words(line.substr(3));
  if (command.words.empty()) return std::nullopt;
  return command;
}

std::string read_file(const fs::path& file) {
  std::ifstream in(file);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::vector<SeedCommand> seed_commands(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<SeedCommand> commands;
  for (const fs::path& file : files) {
    std::istringstream lines(read_file(file));
    std::string line;
    for (int number = 1; std::getline(lines, line); ++number) {
      if (auto command = command_on_line(line)) {
        command->source = file.filename().string() + ":" + std::to_string(number);
        commands.push_back(*command);
      }
    }
  }
  for (const auto& [file, text] : kProseCommands) {
    const std::string contents = read_file(dir / file);
    // The list must follow the documents, not drift from them.
    if (contents.find(text) == std::string::npos) {
      throw std::runtime_error(file + " no longer mentions '" + text + "'");
    }
    SeedCommand command;
    command.source = file + " (in prose)";
    command.text = text;
    command.words = split_words(text.substr(3));
    commands.push_back(command);
  }
  return commands;
}

// Where a command goes in an operator's session; -1 for none.
int step_of(const SeedCommand& command) {
  static const std::vector<std::string> kSteps = {
      "sr-list",        "pool-ha-enable", "pool-ha-compute-max-host-failures-to-tolerate",
      "pool-param-set", "vm-param-set",   "host-emergency-ha-disable"};
  const auto it = std::find(kSteps.begin(), kSteps.end(), command.words.front());
  return it == kSteps.end() ? -1 : static_cast<int>(it - kSteps.begin());
}

bool has_word(const std::string& prefix, const SeedCommand& command) {
  return std::any_of(command.words.begin(), command.words.end(),
                     [&prefix](const std::string& word) { return word.rfind(prefix, 0) == 0; });
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at)) {
    text.replace(at, from.size(), to);
    at += to.size();
  }
  return text;
}

fs::path seeds_dir() {
  if (const char* dir = std::getenv("POOLHA_SEEDS_DIR"); dir && *dir) return dir;
  return POOLHA_DEFAULT_SEEDS_DIR;
}

TEST(SeedCommandExtraction, FindsPromptedPlainAndAssignedCommandLines) {
  const auto prompted =
      command_on_line("$ xe pool-param-set ha-host-failures-to-tolerate=1 uuid=<Pool_UUID>");
  ASSERT_TRUE(prompted);
  EXPECT_EQ(prompted->words,
            (std::vector<std::string>{"pool-param-set", "ha-host-failures-to-tolerate=1",
                                      "uuid=<Pool_UUID>"}));
  const auto assigned = command_on_line("MGMTHAUUID=`xe sr-list name-label=MGMT-HA --minimal`");
  ASSERT_TRUE(assigned);
  EXPECT_EQ(assigned->assigns, "MGMTHAUUID");
  EXPECT_EQ(assigned->words,
            (std::vector<std::string>{"sr-list", "name-label=MGMT-HA", "--minimal"}));
  EXPECT_FALSE(command_on_line("You can enable it with this xe CLI command:"));
  EXPECT_FALSE(command_on_line("don't search 4 an xe command, just disable HA"));
  EXPECT_FALSE(command_on_line("echo \"Pool HA is now enabled\""));
}

class SeedCommandsTest : public IntegrationTest {};

TEST_F(SeedCommandsTest, EverySeedXeCommandWorksVerbatimOnALivePool) {
  const fs::path dir = seeds_dir();
  if (!fs::is_directory(dir)) {
    GTEST_SKIP() << "no seed documents at " << dir.string()
                 << " (set POOLHA_SEEDS_DIR to the directory of the seed documents)";
  }
  std::vector<SeedCommand> commands = seed_commands(dir);
  std::cout << commands.size() << " xe command lines in " << dir.string() << ":\n";
  for (const SeedCommand& command : commands) {
    std::cout << "  " << command.source << ": " << command.text << "\n";
    EXPECT_NE(step_of(command), -1) << command.source << ": no place in the session for '"
                                    << command.text << "'; add it to the test";
  }
  ASSERT_FALSE(HasFailure());
  for (int step = 0; step < 6; ++step) {
    EXPECT_TRUE(std::any_of(commands.begin(), commands.end(),
                            [step](const SeedCommand& c) { return step_of(c) == step; }))
        << "the seeds no longer have a command for step " << step << ": is the extraction broken?";
  }
  // An operator's order. Among the HA enables the one that sets a timeout
  // comes first, so the later plain enable shows whether the timeout
  // persists; `host-emergency-ha-disable --force` comes last of all.
  auto within_step = [](const SeedCommand& c) {
    if (step_of(c) == 1) return has_word("ha-config:timeout=", c) ? 0 : 1;
    if (step_of(c) == 5) return has_word("--force", c) ? 1 : 0;
    return 0;
  };
  std::stable_sort(commands.begin(), commands.end(),
                   [&within_step](const SeedCommand& a, const SeedCommand& b) {
                     if (step_of(a) != step_of(b)) return step_of(a) < step_of(b);
                     return within_step(a) < within_step(b);
                   });

  PoolSetup setup;
  setup.vms = process_vms(2, "");
  IntegrationPool& p = make_pool(setup);
  p.create_and_start();
  localpool::LocalPool& pool = p.pool();
  const std::string pool_uuid = pool.xe_checked(0, {"pool-list", "--minimal"});
  ASSERT_EQ(pool_uuid, pool.plan().pool_uuid);
  const std::string vm_uuid = p.vm_uuid("vm-1");
  const std::string sr_uuid = pool.plan().sr_uuid;
  std::map<std::string, std::string> variables;
  std::optional<std::string> ha_timeout;  // the last one set through pool-ha-enable
  bool ha_enabled = false;
  std::vector<std::size_t> everyone = {0, 1, 2};
  auto pool_param = [&](const std::string& name) {
    return pool.xe_checked(0, {"pool-param-get", "uuid=" + pool_uuid, "param-name=" + name});
  };
  auto wait_for_every_host_live = [&] {
    p.watch_until(
        everyone, everyone,
        [&] {
          for (const std::size_t host : everyone) {
            const auto seen = p.snapshot(host);
            if (!seen || seen->master.empty()) return false;
            for (const auto& entry : seen->hosts) {
              if (!entry.second.live) return false;
            }
          }
          return true;
        },
        Seconds(60 + 6 * setup.ha_timeout_seconds), "every host live with HA on");
  };

  std::size_t emergency_disables = 0;
  for (const SeedCommand& command : commands) {
    std::vector<std::string> args;
    for (std::string word : command.words) {
      word = replace_all(word, "<SR_UUID>", sr_uuid);
      word = replace_all(word, "<Pool_UUID>", pool_uuid);
      word = replace_all(word, "<VM_UUID>", vm_uuid);
      for (const auto& [name, value] : variables) word = replace_all(word, "$" + name, value);
      ASSERT_EQ(word.find('$'), std::string::npos)
          << command.source << ": '" << word << "' uses a variable no earlier command set";
      args.push_back(word);
    }
    const int step = step_of(command);
    if (step == 1 && ha_enabled) {
      // The seeds enable HA twice (two documents); the CloudStack document's
      // script is run "to enable / re-enable HA", so HA goes off between.
      std::cout << "(between the two enables, not a seed command)\n";
      ASSERT_EQ(run_xe_printed(pool, 0, {"pool-ha-disable"}).exit_code, 0);
      EXPECT_EQ(pool_param("ha-enabled"), "false");
    }
    // The emergency disable acts on the host it is sent to: the first on
    // host-3, the last command of the session on host-1.
    const std::size_t host = step == 5 && emergency_disables++ == 0 ? 2 : 0;
    std::cout << "# " << command.source << ": " << command.text << std::endl;
    const localpool::XeResult result = run_xe_printed(pool, host, args);
    ASSERT_EQ(result.exit_code, 0) << command.text << ": " << result.err;
    const std::string out = trimmed(result.out);

    switch (step) {
      case 0:
        EXPECT_EQ(out, sr_uuid) << "sr-list name-label=MGMT-HA names the heartbeat SR";
        if (!command.assigns.empty()) variables[command.assigns] = out;
        break;
      case 1: {
        ha_enabled = true;
        EXPECT_EQ(pool_param("ha-enabled"), "true");
        for (const std::string& word : args) {
          if (word.rfind("ha-config:timeout=", 0) == 0) ha_timeout = word.substr(18);
        }
        if (ha_timeout) {
          EXPECT_EQ(pool_param("ha-timeout"), *ha_timeout)
              << "the HA timeout persists across a disable and a plain enable";
        }
        wait_for_every_host_live();
        break;
      }
      case 2: {
        std::cout << "failures to tolerate: " << out << std::endl;
        ASSERT_FALSE(out.empty());
        ASSERT_TRUE(std::all_of(out.begin(), out.end(), ::isdigit)) << out;
        // Three hosts of 4 GiB and two small VMs: up to two hosts may fail.
        EXPECT_EQ(std::stoi(out), 2);
        break;
      }
      case 3:
        EXPECT_EQ(pool_param("ha-host-failures-to-tolerate"), "1");
        break;
      case 4:
        EXPECT_EQ(pool.xe_checked(
                      0, {"vm-param-get", "uuid=" + vm_uuid, "param-name=ha-restart-priority"}),
                  "restart");
        break;
      case 5:
        // Disarmed, the host must not fence.
        p.hold_for(
            Seconds(2), {}, {},
            [&] {
              if (const auto fence = fence_report(p.host(host))) {
                throw std::runtime_error(p.host(host).name + " fenced:\n" + fence->text);
              }
            },
            p.host(host).name + " not to fence after the emergency disable");
        break;
    }
  }
  EXPECT_EQ(emergency_disables, 2u);
}

}  // namespace
}  // namespace poolha::integration
