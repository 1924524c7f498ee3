// The fence reason record: why this host fenced and what was done about it,
// kept in `fence-reason.json` in the host's state directory so it survives
// the fence. It is written before the first kill or reboot, and once more
// with the outcomes when the host survives to record them.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "fence/fence_cause.h"

namespace poolha::fence {

inline constexpr const char* kFenceReasonFileName = "fence-reason.json";

struct FenceAction {
  enum class Kind { kKillDaemon, kKillVmGroup, kReboot, kResetTcp };
  enum class Outcome {
    kPending,      // written before the action was carried out
    kDone,         // signal delivered, or reboot requested
    kAlreadyGone,  // nothing left to kill
    kRefused,      // not carried out on purpose; `detail` says why
    kFailed,       // `detail` has the error
  };
  Kind kind = Kind::kKillVmGroup;
  std::int64_t id = 0;  // kKillDaemon: pid; kKillVmGroup: process group id;
                        // kResetTcp: connections aborted
  std::string vm;       // kKillVmGroup: the VM's uuid
  std::string trigger;  // kReboot: the sysrq trigger file
  Outcome outcome = Outcome::kPending;
  std::string detail;

  bool operator==(const FenceAction&) const = default;
};

struct FenceRecord {
  std::int64_t unix_ms = 0;  // wall clock, for operators only
  std::string host;
  FenceCause decided_by = FenceCause::kEngineRequest;
  std::string reason;
  std::string fencer;  // which fencer acted, e.g. "process fencer"
  std::vector<FenceAction> actions;
  std::vector<std::string> problems;  // what stood in the way, e.g. malformed registry entries
  bool complete = false;              // every action has its outcome

  bool operator==(const FenceRecord&) const = default;
};

class FenceRecordError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::string encode_fence_record(const FenceRecord& record);
// The string alternative says which field is missing or wrong.
std::variant<FenceRecord, std::string> decode_fence_record(std::string_view text);

std::filesystem::path fence_record_path(const std::filesystem::path& state_dir);
// Atomic and durable (see durable_file.h). Throws std::system_error.
void write_fence_record(const std::filesystem::path& state_dir, const FenceRecord& record);
// std::nullopt when the host never fenced (no file). Throws FenceRecordError
// when the file cannot be read or is not a fence record.
std::optional<FenceRecord> read_fence_record(const std::filesystem::path& state_dir);

// Several lines of plain text for operators.
std::string render_fence_record(const FenceRecord& record);
// One action and its outcome, e.g. "kill VM ... (process group 42): done".
std::string describe_action(const FenceAction& action);

// Inputs of a record that come from the machine.
std::int64_t wall_clock_unix_ms();
// gethostname(); "unknown-host" only if the kernel refuses to say.
std::string local_host_name();

}  // namespace poolha::fence
