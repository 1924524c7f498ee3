// The ack log: the writer's local, durable account of every record the disk
// acknowledged. One line per record, appended only after the disk write
// returned success:
//
//   VM_ID BOOT_ID SEQUENCE TIME_NS\n
//
// (canonical VM UUID, 32 hex digits, decimal, decimal CLOCK_MONOTONIC ns).
// Every line is a promise the disk must keep; the oracle checks each one.
//
// A writer killed inside its write(2) can leave a last line without its
// newline. Such a line was never a completed acknowledgement: the next writer
// to open the log ends it with " torn", and the loader skips lines ending in
// " torn" and an unterminated last line, with a warning for each.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "oracle/ids.h"

namespace poolha::oracle {

struct AckEntry {
  std::string vm;  // canonical VM id
  BootId boot;
  std::uint64_t sequence = 0;
  std::uint64_t time_ns = 0;
  std::string source;  // "FILE:LINE" when loaded, for reports; not written
};

// The line for `entry`, newline included.
std::string format_ack_line(const AckEntry& entry);

// Parses one line without its newline. Throws OracleInputError saying what is
// wrong with it.
AckEntry parse_ack_line(std::string_view line);

// Appends ack lines to a local file opened O_APPEND | O_DSYNC, so each line
// is durable when append() returns and lines of writers sharing the file do
// not interleave.
class AckLogFile {
 public:
  // Creates the file if needed and ends a torn last line (see above). Throws
  // io::IoError when it cannot.
  explicit AckLogFile(std::filesystem::path path);
  ~AckLogFile();
  AckLogFile(const AckLogFile&) = delete;
  AckLogFile& operator=(const AckLogFile&) = delete;

  // One write(2) of the whole line. Throws io::IoError when it fails.
  void append(const AckEntry& entry);
  const std::filesystem::path& path() const { return path_; }

 private:
  void write_all(std::string_view text, std::string_view what);

  std::filesystem::path path_;
  int fd_ = -1;
};

struct AckLogContents {
  std::vector<AckEntry> entries;      // in file order, each with its source
  std::vector<std::string> warnings;  // skipped torn lines
};

// Reads a whole ack log. Throws OracleInputError for a file that cannot be
// read or a malformed line (other than the torn lines above).
AckLogContents load_ack_log(const std::filesystem::path& path);

}  // namespace poolha::oracle
