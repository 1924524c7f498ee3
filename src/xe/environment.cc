#include "xe/environment.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace poolha::xe {

XeEnvironment process_environment() {
  return XeEnvironment{
      [](const std::string& name) -> std::optional<std::string> {
        const char* value = std::getenv(name.c_str());
        if (value == nullptr) return std::nullopt;
        return std::string(value);
      },
      [](const std::string& path) -> std::optional<std::string> {
        std::ifstream file(path, std::ios::binary);
        if (!file) return std::nullopt;
        std::ostringstream contents;
        contents << file.rdbuf();
        if (file.bad()) return std::nullopt;
        return contents.str();
      },
  };
}

}  // namespace poolha::xe
