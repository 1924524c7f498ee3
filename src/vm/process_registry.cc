#include "vm/process_registry.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <fstream>
#include <stdexcept>
#include <system_error>
#include <vector>

namespace poolha::vm {
namespace {

constexpr const char* kTemporarySuffix = ".tmp";

[[noreturn]] void throw_errno(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

bool is_uuid_like(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

VmProcessRegistry::VmProcessRegistry(std::filesystem::path dir) : dir_(std::move(dir)) {
  std::filesystem::create_directories(dir_);
}

void VmProcessRegistry::record(const std::string& uuid, pid_t process_group) {
  if (!is_uuid_like(uuid)) throw std::invalid_argument("not a VM uuid: '" + uuid + "'");
  if (process_group <= 0) throw std::invalid_argument("not a process group: " + uuid);
  const std::filesystem::path target = dir_ / uuid;
  const std::filesystem::path temporary = dir_ / (uuid + kTemporarySuffix);
  const std::string text = std::to_string(process_group) + "\n";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw_errno("open " + temporary.string());
  const ssize_t written = ::write(fd, text.data(), text.size());
  // No fsync: the only reader is this machine's fencer, which sees the
  // rename whole without one, and a crash of the machine ends the process
  // groups the file names. An fsync here would stall the caller's loop.
  if (written != static_cast<ssize_t>(text.size())) {
    const int saved = written < 0 ? errno : EIO;
    ::close(fd);
    errno = saved;
    throw_errno("write " + temporary.string());
  }
  ::close(fd);
  if (::rename(temporary.c_str(), target.c_str()) != 0) throw_errno("rename " + target.string());
}

void VmProcessRegistry::erase(const std::string& uuid) {
  if (!is_uuid_like(uuid)) return;
  std::error_code ignored;
  std::filesystem::remove(dir_ / uuid, ignored);
}

std::map<std::string, pid_t> VmProcessRegistry::list(std::vector<std::string>* malformed) const {
  std::map<std::string, pid_t> groups;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, error)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file() || name.ends_with(kTemporarySuffix)) continue;
    std::ifstream in(entry.path());
    std::string text;
    std::getline(in, text);
    pid_t group = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), group);
    if (!is_uuid_like(name) || ec != std::errc() || end != text.data() + text.size() ||
        group <= 0) {
      if (malformed) malformed->push_back(name);
      continue;
    }
    groups.emplace(name, group);
  }
  if (error) throw std::system_error(error, "list " + dir_.string());
  return groups;
}

}  // namespace poolha::vm
