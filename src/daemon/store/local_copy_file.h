// This host's local copy of the pool database, a file in its state directory.
// Slaves keep it for emergency mode and so that a host becoming master can
// start from whichever is newer, the metadata area or what it saw last.
// The file holds pool::encode_local_copy's image and is replaced atomically,
// so after a crash it holds either the previous copy or the new one.
#pragma once

#include <filesystem>
#include <optional>
#include <stdexcept>

#include "pool/snapshot.h"

namespace poolha::daemon {

class LocalCopyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// <state_dir>/pool-database.copy
std::filesystem::path local_copy_path(const std::filesystem::path& state_dir);

// nullopt when the file does not exist. Throws LocalCopyError when it cannot
// be read or is not one intact snapshot record.
std::optional<pool::Snapshot> read_local_copy(const std::filesystem::path& file);

// Writes a temporary beside `file`, fsyncs it, renames it over `file` and
// fsyncs the directory (created if missing). Throws LocalCopyError naming the
// step that failed.
void save_local_copy(const std::filesystem::path& file, const pool::Snapshot& snapshot);

}  // namespace poolha::daemon
