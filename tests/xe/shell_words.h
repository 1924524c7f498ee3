// Enough of bash's word expansion to run the seed documents' command lines
// verbatim: quoting ('...', "...", backslash), $NAME and ${NAME}, command
// substitution (`...` and $(...), trailing newlines removed) and field
// splitting of unquoted expansions on blanks.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace poolha::xe::testing {

struct ShellState {
  std::map<std::string, std::string> variables;
  // Runs a substituted command and returns its standard output.
  std::function<std::string(const std::string& command)> run;
};

// The words of a command line after expansion.
std::vector<std::string> shell_words(std::string_view line, ShellState& state);

// One word expanded without field splitting, as the value of an assignment.
std::string shell_expand_word(std::string_view word, ShellState& state);

}  // namespace poolha::xe::testing
