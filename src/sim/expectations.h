// Evaluates scenario expectations against the simulator's state and history.
#pragma once

#include <optional>
#include <string>

#include "sim/scenario.h"
#include "sim/simulator.h"

namespace poolha::sim {

// The expectation as a scenario file writes it: "expect master h0".
std::string describe(const Expectation& e);
// nullopt when it holds; otherwise what is wrong.
std::optional<std::string> check_expectation(const Expectation& e, const Simulator& sim);

}  // namespace poolha::sim
