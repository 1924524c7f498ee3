// Which local processes belong to VMs. Every driver that runs a VM as local
// processes (process, qemu) records the VM's process group here, one file per
// VM named by its uuid and holding the group id in decimal. The process
// fencer reads the directory when it fences the host and kills every group
// in it, which is what a reboot would do to the VMs.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace poolha::vm {

class VmProcessRegistry {
 public:
  // Creates `dir` if it is missing.
  explicit VmProcessRegistry(std::filesystem::path dir);

  // Written to a temporary file and renamed into place, so a reader never
  // sees half a number. Throws std::system_error on I/O failure.
  void record(const std::string& uuid, pid_t process_group);
  // Removing a VM that is not recorded is not an error.
  void erase(const std::string& uuid);
  // Every recorded VM and its process group. Entries that are not a
  // positive decimal number (a crash while writing cannot produce one, but a
  // person can) are skipped and named in `malformed` when it is given.
  std::map<std::string, pid_t> list(std::vector<std::string>* malformed = nullptr) const;

  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
};

}  // namespace poolha::vm
