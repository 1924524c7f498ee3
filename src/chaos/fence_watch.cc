#include "chaos/fence_watch.h"

#include <fmt/format.h>

#include <exception>
#include <utility>

namespace poolha::chaos {

FenceWatch::FenceWatch(std::vector<std::filesystem::path> state_dirs)
    : state_dirs_(std::move(state_dirs)), seen_(state_dirs_.size()) {
  for (std::size_t i = 0; i < state_dirs_.size(); ++i) seen_[i] = read_key(state_dirs_[i], nullptr);
}

std::optional<FenceWatch::Key> FenceWatch::read_key(const std::filesystem::path& state_dir,
                                                    std::optional<fence::FenceRecord>* record) {
  try {
    std::optional<fence::FenceRecord> read = fence::read_fence_record(state_dir);
    if (!read) return std::nullopt;
    Key key{read->unix_ms, std::string(fence::cause_name(read->decided_by)), read->reason};
    if (record) *record = std::move(read);
    return key;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::vector<FenceEvent> FenceWatch::poll() {
  std::vector<FenceEvent> events;
  for (std::size_t i = 0; i < state_dirs_.size(); ++i) {
    std::optional<fence::FenceRecord> record;
    const std::optional<Key> key = read_key(state_dirs_[i], &record);
    if (!key || key == seen_[i]) continue;
    seen_[i] = key;
    ++fences_;
    events.push_back(FenceEvent{i, std::move(*record)});
  }
  return events;
}

std::string describe_fence(const fence::FenceRecord& record) {
  std::size_t vms = 0;
  bool daemon = false;
  for (const fence::FenceAction& action : record.actions) {
    if (action.kind == fence::FenceAction::Kind::kKillVmGroup) ++vms;
    if (action.kind == fence::FenceAction::Kind::kKillDaemon) daemon = true;
  }
  return fmt::format("{} fenced: {}: {}; kills {}{} VM process group(s)", record.host,
                     fence::cause_name(record.decided_by), record.reason,
                     daemon ? "the daemon and " : "", vms);
}

}  // namespace poolha::chaos
