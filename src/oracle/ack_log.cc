#include "oracle/ack_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "io/io_error.h"
#include "oracle/oracle_error.h"

namespace poolha::oracle {

namespace {

constexpr std::string_view kTornMark = " torn";

std::optional<std::uint64_t> parse_decimal(std::string_view text) {
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc() || stop != end) return std::nullopt;
  return value;
}

// The space-separated fields of `line`; an empty field (two spaces in a row,
// a leading or trailing space) is kept so it is refused.
std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> fields;
  std::size_t start = 0;
  while (true) {
    const std::size_t space = line.find(' ', start);
    fields.push_back(line.substr(start, space == std::string_view::npos ? space : space - start));
    if (space == std::string_view::npos) return fields;
    start = space + 1;
  }
}

}  // namespace

std::string format_ack_line(const AckEntry& entry) {
  return fmt::format("{} {} {} {}\n", entry.vm, entry.boot.hex(), entry.sequence, entry.time_ns);
}

AckEntry parse_ack_line(std::string_view line) {
  const std::vector<std::string_view> fields = split_fields(line);
  if (fields.size() != 4) {
    throw OracleInputError(fmt::format(
        "expected 4 space-separated fields (vm boot sequence time), found {}", fields.size()));
  }
  AckEntry entry;
  const std::optional<std::string> vm = parse_vm_id(fields[0]);
  if (!vm) throw OracleInputError(fmt::format("'{}' is not a VM UUID", fields[0]));
  entry.vm = *vm;
  const std::optional<BootId> boot = parse_boot_id(fields[1]);
  if (!boot) {
    throw OracleInputError(
        fmt::format("'{}' is not a boot id (32 hex digits, not all zero)", fields[1]));
  }
  entry.boot = *boot;
  const std::optional<std::uint64_t> sequence = parse_decimal(fields[2]);
  if (!sequence || *sequence == 0) {
    throw OracleInputError(fmt::format("'{}' is not a sequence number (1 or more)", fields[2]));
  }
  entry.sequence = *sequence;
  const std::optional<std::uint64_t> time = parse_decimal(fields[3]);
  if (!time) throw OracleInputError(fmt::format("'{}' is not a time in nanoseconds", fields[3]));
  entry.time_ns = *time;
  return entry;
}

AckLogFile::AckLogFile(std::filesystem::path path) : path_(std::move(path)) {
  fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_APPEND | O_DSYNC | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    throw io::IoError(
        fmt::format("cannot open ack log {}: {}", path_.string(), std::strerror(errno)));
  }
  try {
    struct stat info {};
    if (::fstat(fd_, &info) != 0) {
      throw io::IoError(
          fmt::format("cannot stat ack log {}: {}", path_.string(), std::strerror(errno)));
    }
    if (info.st_size > 0) {
      char last = '\n';
      if (::pread(fd_, &last, 1, info.st_size - 1) != 1) {
        throw io::IoError(
            fmt::format("cannot read ack log {}: {}", path_.string(), std::strerror(errno)));
      }
      if (last != '\n') write_all(std::string(kTornMark) + "\n", "end the torn last line of");
    }
  } catch (...) {
    ::close(fd_);
    throw;
  }
}

AckLogFile::~AckLogFile() {
  ::close(fd_);
}

void AckLogFile::append(const AckEntry& entry) {
  write_all(format_ack_line(entry), "append to");
}

void AckLogFile::write_all(std::string_view text, std::string_view what) {
  // One call for the whole text: O_APPEND places it atomically at the end.
  // A short write (a full disk) leaves a torn line, which is an error here.
  const ssize_t written = ::write(fd_, text.data(), text.size());
  if (written < 0) {
    throw io::IoError(
        fmt::format("cannot {} ack log {}: {}", what, path_.string(), std::strerror(errno)));
  }
  if (static_cast<std::size_t>(written) != text.size()) {
    throw io::IoError(fmt::format("cannot {} ack log {}: only {} of {} bytes written", what,
                                  path_.string(), written, text.size()));
  }
}

AckLogContents load_ack_log(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw OracleInputError(fmt::format("cannot read ack log {}", path.string()));
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) throw OracleInputError(fmt::format("cannot read ack log {}", path.string()));

  AckLogContents contents;
  std::size_t line_number = 0;
  for (std::size_t start = 0; start < text.size();) {
    ++line_number;
    const std::size_t newline = text.find('\n', start);
    const std::string source = fmt::format("{}:{}", path.string(), line_number);
    if (newline == std::string::npos) {
      contents.warnings.push_back(fmt::format(
          "{}: unterminated last line skipped (its writer stopped inside the write)", source));
      break;
    }
    const std::string_view line = std::string_view(text).substr(start, newline - start);
    start = newline + 1;
    if (line.ends_with(kTornMark)) {
      contents.warnings.push_back(
          fmt::format("{}: torn line skipped (its writer stopped inside the write)", source));
      continue;
    }
    try {
      AckEntry entry = parse_ack_line(line);
      entry.source = source;
      contents.entries.push_back(std::move(entry));
    } catch (const OracleInputError& e) {
      throw OracleInputError(fmt::format("{}: {}", source, e.what()));
    }
  }
  return contents;
}

}  // namespace poolha::oracle
