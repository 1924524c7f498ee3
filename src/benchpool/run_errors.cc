// One-line, path-free error texts for the results file (run_errors.h).
#include "benchpool/run_errors.h"

namespace poolha::benchpool {

std::string one_line_error(std::string_view what, const std::filesystem::path& work_dir) {
  std::string text(what.substr(0, what.find('\n')));
  const std::string dir = work_dir.string();
  if (!dir.empty()) {
    for (std::size_t at = text.find(dir); at != std::string::npos; at = text.find(dir, at + 4)) {
      text.replace(at, dir.size(), "WORK");
    }
  }
  constexpr std::size_t kLimit = 300;
  if (text.size() > kLimit) text = text.substr(0, kLimit) + "...";
  while (!text.empty() && (text.back() == ':' || text.back() == ' ')) text.pop_back();
  return text;
}

}  // namespace poolha::benchpool
