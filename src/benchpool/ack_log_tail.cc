// Following an ack log as it grows (ack_log_tail.h).
#include "benchpool/ack_log_tail.h"

#include <fstream>
#include <string_view>

#include "oracle/oracle_error.h"

namespace poolha::benchpool {
namespace {

constexpr std::string_view kTornSuffix = " torn";

}  // namespace

std::vector<oracle::AckEntry> take_complete_ack_lines(std::string& buffer) {
  std::vector<oracle::AckEntry> entries;
  std::size_t at = 0;
  for (;;) {
    const std::size_t end = buffer.find('\n', at);
    if (end == std::string::npos) break;
    const std::string_view line(buffer.data() + at, end - at);
    at = end + 1;
    const bool torn = line.size() >= kTornSuffix.size() &&
                      line.substr(line.size() - kTornSuffix.size()) == kTornSuffix;
    if (line.empty() || torn) continue;
    try {
      entries.push_back(oracle::parse_ack_line(line));
    } catch (const oracle::OracleInputError&) {
      // Not an acknowledgement a writer completed; the oracle reports such
      // lines, a latency measurement only has to ignore them.
    }
  }
  buffer.erase(0, at);
  return entries;
}

std::vector<oracle::AckEntry> AckLogTail::read_new() {
  std::error_code error;
  const std::uintmax_t size = std::filesystem::file_size(path_, error);
  if (error) return {};
  if (size < offset_) {
    offset_ = 0;
    partial_.clear();
  }
  if (size == offset_) return {};
  std::ifstream in(path_, std::ios::binary);
  if (!in) return {};
  in.seekg(static_cast<std::streamoff>(offset_));
  std::string chunk(static_cast<std::size_t>(size - offset_), '\0');
  in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
  chunk.resize(static_cast<std::size_t>(in.gcount()));
  offset_ += chunk.size();
  partial_ += chunk;
  return take_complete_ack_lines(partial_);
}

void AckLogTail::skip_to_end() {
  read_new();
}

}  // namespace poolha::benchpool
