#include "sim/timeline.h"

namespace poolha::sim {

void Timeline::add(VirtualTime at, std::string_view text) {
  if (!enabled()) return;
  std::string line = "[" + format_virtual_time(at) + "] ";
  line += text;
  for (unsigned char c : line) {
    hash_ ^= c;
    hash_ *= 0x100000001B3ull;
  }
  hash_ ^= '\n';
  hash_ *= 0x100000001B3ull;
  ++count_;
  // Flushed line by line: if an engine check aborts the process, the
  // timeline up to that point is what explains it.
  if (options_.echo != nullptr) *options_.echo << line << '\n' << std::flush;
  if (options_.keep) lines_.push_back(std::move(line));
}

}  // namespace poolha::sim
