// A temporary directory for tests, removed with its contents at the end.
// Created under a directory on a disk filesystem by default, because the
// device tests need one that supports O_DIRECT.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace poolha::io::testing {

class TempDir {
 public:
  explicit TempDir(const std::string& parent = "/var/tmp") {
    std::string pattern = parent + "/poolha-io-test.XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp in " + parent);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Creates (or truncates) a file of `size` zero bytes.
void make_zero_file(const std::filesystem::path& path, std::uintmax_t size);

}  // namespace poolha::io::testing
