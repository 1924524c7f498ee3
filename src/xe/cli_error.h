// The failures of an xe command that are not XenAPI errors. Each kind is
// printed the way xe prints it (see xe_main.cc), and every one of them makes
// the command exit with status 1.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace poolha::xe {

// A command-level failure, printed as "Error: <what>".
class CliFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The command name is not in the command table.
class UnknownCommand : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A required parameter is missing; what() is its name.
class ParamNotFound : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The command line cannot be parsed (no command name, a switch without its value).
class SyntaxError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// param-get named a field the class does not have. xe reports this as an
// error code of its own, "Missing parameter", with the field as parameter.
class FieldNotFound : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The server answered a call with a value of the wrong shape (a record that
// is not an object, a reference that is not a string).
class BadAnswer : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// An operation applied to several objects (--multiple) failed on some of them:
// each entry is the object's uuid and the message of its failure.
class MultipleFailure : public std::runtime_error {
 public:
  explicit MultipleFailure(std::vector<std::pair<std::string, std::string>> failures)
      : std::runtime_error("operation failed on some objects"), failures_(std::move(failures)) {}
  const std::vector<std::pair<std::string, std::string>>& failures() const { return failures_; }

 private:
  std::vector<std::pair<std::string, std::string>> failures_;
};

}  // namespace poolha::xe
