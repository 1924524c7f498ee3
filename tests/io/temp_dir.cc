// make_zero_file for the device tests.
#include "temp_dir.h"

#include <fstream>
#include <stdexcept>

namespace poolha::io::testing {

void make_zero_file(const std::filesystem::path& path, std::uintmax_t size) {
  { std::ofstream create(path, std::ios::binary | std::ios::trunc); }
  std::filesystem::resize_file(path, size);
}

}  // namespace poolha::io::testing
