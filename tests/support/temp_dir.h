// A fresh directory for one test, removed with its contents at the end.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>

namespace poolha::daemon::test_support {

class TempDir {
 public:
  // Under `base`; tests that need O_DIRECT pass a disk filesystem (/var/tmp),
  // since tmpfs refuses it.
  explicit TempDir(const std::filesystem::path& base = std::filesystem::temp_directory_path(),
                   const std::string& prefix = "poolha-test") {
    std::string pattern = (base / (prefix + ".XXXXXX")).string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp " + pattern);
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

}  // namespace poolha::daemon::test_support
