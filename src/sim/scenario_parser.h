// Reads the scenario file format described in scenarios/README.md.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "sim/scenario.h"

namespace poolha::sim {

struct ParseError {
  std::string file;
  int line = 0;  // 0: the file as a whole
  std::string message;
  // "file:line: message"
  std::string to_string() const;
};

std::variant<Scenario, ParseError> parse_scenario(std::string_view text, std::string file_name);
std::variant<Scenario, ParseError> load_scenario_file(const std::string& path);

}  // namespace poolha::sim
