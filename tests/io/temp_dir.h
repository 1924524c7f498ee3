// A temporary directory for tests, removed with its contents at the end.
// Created under a directory on a disk filesystem by default, because the
// device tests need one that supports O_DIRECT.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "../support/temp_dir.h"

namespace poolha::io::testing {

// The shared test directory, on /var/tmp by default: the device tests need
// a disk filesystem that supports O_DIRECT.
class TempDir : public daemon::test_support::TempDir {
 public:
  explicit TempDir(const std::string& parent = "/var/tmp")
      : daemon::test_support::TempDir(parent, "poolha-io-test") {}
};

// Creates (or truncates) a file of `size` zero bytes.
void make_zero_file(const std::filesystem::path& path, std::uintmax_t size);

}  // namespace poolha::io::testing
