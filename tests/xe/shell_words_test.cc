// The test helper that expands command lines as bash does.
#include <gtest/gtest.h>

#include "shell_words.h"

namespace poolha::xe::testing {
namespace {

ShellState state_with(std::map<std::string, std::string> variables) {
  return ShellState{std::move(variables),
                    [](const std::string& command) { return "[" + command + "]\n\n"; }};
}

TEST(ShellWords, SplitsOnBlanksAndHonoursQuotes) {
  auto state = state_with({});
  EXPECT_EQ(shell_words("xe  vm-list name-label='a b' \"c d\" e\\ f", state),
            (std::vector<std::string>{"xe", "vm-list", "name-label=a b", "c d", "e f"}));
}

TEST(ShellWords, ExpandsVariablesWithFieldSplitting) {
  auto state = state_with({{"U", "u1"}, {"TWO", "x y"}, {"EMPTY", ""}});
  EXPECT_EQ(shell_words("a=$U ${U}z $TWO \"$TWO\" $EMPTY b=$EMPTY", state),
            (std::vector<std::string>{"a=u1", "u1z", "x", "y", "x y", "b="}));
}

TEST(ShellWords, CommandSubstitutionDropsTrailingNewlines) {
  auto state = state_with({});
  EXPECT_EQ(shell_words("v=`xe sr-list` w=$(xe pool-list)", state),
            (std::vector<std::string>{"v=[xe", "sr-list]", "w=[xe", "pool-list]"}));
  EXPECT_EQ(shell_expand_word("`xe sr-list --minimal`", state), "[xe sr-list --minimal]");
}

}  // namespace
}  // namespace poolha::xe::testing
