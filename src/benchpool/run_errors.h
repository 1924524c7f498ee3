// Errors of a benchmark run as the results file shows them: one line, and
// without the run's temporary work directory (a path of the machine that
// ran it, which means nothing to a reader). The full text goes to the
// terminal when it happens.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace poolha::benchpool {

// The first line of `what`, with `work_dir` (when not empty) replaced by
// "WORK", shortened to about 300 characters.
std::string one_line_error(std::string_view what, const std::filesystem::path& work_dir);

}  // namespace poolha::benchpool
