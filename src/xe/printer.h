// Command output in xe's formats. A record is printed as one "label: value"
// line per field, the colons aligned four columns past the longest label, the
// first label flush left and the others flush right, and a blank line after
// the record. Plain values print one per line. With --minimal everything a
// command prints is collected and written at the end as a single line: the
// first field of each record (normally its uuid) or the values, joined by
// commas, with commas and backslashes inside a value escaped by a backslash.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace poolha::xe {

// One printed field: its label (name and access marker, "uuid ( RO)") and value.
using FieldLine = std::pair<std::string, std::string>;
using RecordLines = std::vector<FieldLine>;

// The text of one record, every line ending in a newline.
std::string format_record(const RecordLines& record);

// A value as it appears inside a --minimal list.
std::string escape_for_minimal(std::string_view value);

class Printer {
 public:
  Printer(std::ostream& out, bool minimal) : out_(out), minimal_(minimal) {}

  bool minimal() const { return minimal_; }
  void records(const std::vector<RecordLines>& records);
  void values(const std::vector<std::string>& values);
  // Writes the --minimal line; without --minimal there is nothing left to write.
  void finish();

 private:
  std::ostream& out_;
  bool minimal_;
  std::vector<std::string> collected_;  // --minimal items, already escaped
};

}  // namespace poolha::xe
