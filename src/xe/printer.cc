#include "xe/printer.h"

#include <algorithm>

namespace poolha::xe {

std::string format_record(const RecordLines& record) {
  if (record.empty()) return std::string(1, '\n');
  std::size_t width = 0;
  for (const auto& field : record) width = std::max(width, field.first.size());
  width += 4;
  std::string text;
  bool first = true;
  for (const auto& [label, value] : record) {
    const std::size_t padding = width - label.size();
    if (!first) text.append(padding, ' ');
    text += label;
    if (first) text.append(padding, ' ');
    text += ": ";
    text += value;
    text += '\n';
    first = false;
  }
  return text;
}

std::string escape_for_minimal(std::string_view value) {
  std::string escaped;
  escaped.reserve(value.size());
  for (char c : value) {
    if (c == ',' || c == '\\') escaped += '\\';
    escaped += c;
  }
  return escaped;
}

void Printer::records(const std::vector<RecordLines>& records) {
  if (minimal_) {
    // As xe: a table in which some record has no field at all adds nothing.
    const bool complete = std::none_of(records.begin(), records.end(),
                                       [](const RecordLines& r) { return r.empty(); });
    if (!complete) return;
    for (const auto& record : records)
      collected_.push_back(escape_for_minimal(record.front().second));
    return;
  }
  for (const auto& record : records) out_ << format_record(record) << '\n';
}

void Printer::values(const std::vector<std::string>& values) {
  if (minimal_) {
    for (const auto& value : values) collected_.push_back(escape_for_minimal(value));
    return;
  }
  for (const auto& value : values) out_ << value << '\n';
}

void Printer::finish() {
  if (!minimal_) return;
  std::string line;
  for (std::size_t i = 0; i < collected_.size(); ++i) {
    if (i > 0) line += ',';
    line += collected_[i];
  }
  out_ << line << '\n';
  collected_.clear();
}

}  // namespace poolha::xe
