// The error the oracle's loaders report for input they cannot judge: a disk
// argument without a VM id, an ack log line that is not one. The message names
// the file and line or the argument, so it can be shown as is.
#pragma once

#include <stdexcept>

namespace poolha::oracle {

class OracleInputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace poolha::oracle
