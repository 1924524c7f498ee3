// Writes a Scenario back in the .scn format, so a generated random schedule
// can be read, edited and kept as a regression scenario.
// parse_scenario(write_scenario(s)) describes the same run as s.
#pragma once

#include <string>

#include "sim/scenario.h"

namespace poolha::sim {

std::string write_scenario(const Scenario& s);

}  // namespace poolha::sim
