// The counter file holds one decimal number and a newline; it is replaced
// atomically and fsynced, so a crash leaves the old or the new value, never a
// torn one. Anything else in it is an error: guessing a value could reuse an
// incarnation.
#include "daemon/membership/boot_counter.h"

#include <charconv>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <system_error>

#include <fmt/format.h>

#include "fence/durable_file.h"

namespace poolha::daemon {

namespace {

std::uint32_t read_counter(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    if (ec) throw BootCounterError(fmt::format("boot counter {}: {}", path.string(), ec.message()));
    return 0;
  }
  std::ifstream in(path);
  if (!in) throw BootCounterError(fmt::format("boot counter {}: cannot open", path.string()));
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  if (!text.empty() && text.back() == '\n') text.pop_back();
  std::uint32_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, err] = std::from_chars(text.data(), end, value);
  if (text.empty() || err != std::errc() || ptr != end || value == 0) {
    throw BootCounterError(fmt::format(
        "boot counter {}: holds \"{}\", not a positive 32-bit counter; fix or remove it by hand",
        path.string(), text));
  }
  return value;
}

}  // namespace

BootCounter::BootCounter(const std::filesystem::path& state_dir)
    : path_(state_dir / kFileName), value_(read_counter(path_)) {
  advance();
}

std::uint32_t BootCounter::advance() {
  if (value_ == std::numeric_limits<std::uint32_t>::max()) {
    throw BootCounterError(fmt::format("boot counter {}: exhausted at {}", path_.string(), value_));
  }
  store(value_ + 1);
  value_ += 1;
  return value_;
}

void BootCounter::store(std::uint32_t value) {
  try {
    fence::replace_file_durably(path_, fmt::format("{}\n", value));
  } catch (const std::system_error& e) {
    throw BootCounterError(fmt::format("boot counter {}: {}", path_.string(), e.what()));
  }
}

}  // namespace poolha::daemon
