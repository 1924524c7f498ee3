#include "fence/fence_record.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstring>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <utility>

#include "fence/durable_file.h"

namespace poolha::fence {
namespace {

using nlohmann::json;

constexpr std::string_view kFormat = "poolha-fence-reason";
constexpr int kVersion = 1;

constexpr std::array<std::pair<FenceAction::Kind, std::string_view>, 4> kKindNames = {{
    {FenceAction::Kind::kKillDaemon, "kill-daemon"},
    {FenceAction::Kind::kKillVmGroup, "kill-vm"},
    {FenceAction::Kind::kReboot, "reboot"},
    {FenceAction::Kind::kResetTcp, "reset-tcp"},
}};

constexpr std::array<std::pair<FenceAction::Outcome, std::string_view>, 5> kOutcomeNames = {{
    {FenceAction::Outcome::kPending, "pending"},
    {FenceAction::Outcome::kDone, "done"},
    {FenceAction::Outcome::kAlreadyGone, "already-gone"},
    {FenceAction::Outcome::kRefused, "refused"},
    {FenceAction::Outcome::kFailed, "failed"},
}};

template <typename Enum, std::size_t N>
std::string_view name_of(const std::array<std::pair<Enum, std::string_view>, N>& names,
                         Enum value) {
  for (const auto& [known, name] : names) {
    if (known == value) return name;
  }
  return "unknown";
}

template <typename Enum, std::size_t N>
std::optional<Enum> value_of(const std::array<std::pair<Enum, std::string_view>, N>& names,
                             std::string_view name) {
  for (const auto& [value, known] : names) {
    if (known == name) return value;
  }
  return std::nullopt;
}

std::string utc_time(std::int64_t unix_ms, std::string_view separator) {
  const std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
  const long long millis = unix_ms % 1000;
  return fmt::format("{:%Y-%m-%d}{}{:%H:%M:%S}.{:03}", fmt::gmtime(seconds), separator,
                     fmt::gmtime(seconds), millis);
}

json action_to_json(const FenceAction& action) {
  json out = {{"action", name_of(kKindNames, action.kind)},
              {"outcome", name_of(kOutcomeNames, action.outcome)}};
  switch (action.kind) {
    case FenceAction::Kind::kKillDaemon:
      out["pid"] = action.id;
      break;
    case FenceAction::Kind::kKillVmGroup:
      out["vm"] = action.vm;
      out["process_group"] = action.id;
      break;
    case FenceAction::Kind::kReboot:
      out["trigger"] = action.trigger;
      break;
    case FenceAction::Kind::kResetTcp:
      out["connections"] = action.id;
      break;
  }
  if (!action.detail.empty()) out["detail"] = action.detail;
  return out;
}

// Field access with errors that name the field.
class Fields {
 public:
  Fields(const json& object, std::string where) : object_(object), where_(std::move(where)) {
    if (!object_.is_object()) throw FenceRecordError(where_ + " is not a JSON object");
  }
  const json& get(const char* key) const {
    const auto it = object_.find(key);
    if (it == object_.end()) throw FenceRecordError(fmt::format("{}{} is missing", where_, key));
    return *it;
  }
  std::string string(const char* key) const {
    const json& value = get(key);
    if (!value.is_string())
      throw FenceRecordError(fmt::format("{}{} is not a string", where_, key));
    return value.get<std::string>();
  }
  std::string optional_string(const char* key) const {
    return object_.contains(key) ? string(key) : std::string();
  }
  std::int64_t integer(const char* key) const {
    const json& value = get(key);
    if (!value.is_number_integer()) {
      throw FenceRecordError(fmt::format("{}{} is not an integer", where_, key));
    }
    return value.get<std::int64_t>();
  }
  bool boolean(const char* key) const {
    const json& value = get(key);
    if (!value.is_boolean())
      throw FenceRecordError(fmt::format("{}{} is not true or false", where_, key));
    return value.get<bool>();
  }
  const json& array(const char* key) const {
    const json& value = get(key);
    if (!value.is_array()) throw FenceRecordError(fmt::format("{}{} is not an array", where_, key));
    return value;
  }

 private:
  const json& object_;
  std::string where_;
};

FenceAction action_from_json(const json& value, std::size_t index) {
  const Fields fields(value, fmt::format("actions[{}].", index));
  FenceAction action;
  const std::string kind = fields.string("action");
  const std::string outcome = fields.string("outcome");
  const auto known_kind = value_of(kKindNames, kind);
  const auto known_outcome = value_of(kOutcomeNames, outcome);
  if (!known_kind)
    throw FenceRecordError(fmt::format("actions[{}]: unknown action '{}'", index, kind));
  if (!known_outcome) {
    throw FenceRecordError(fmt::format("actions[{}]: unknown outcome '{}'", index, outcome));
  }
  action.kind = *known_kind;
  action.outcome = *known_outcome;
  action.detail = fields.optional_string("detail");
  switch (action.kind) {
    case FenceAction::Kind::kKillDaemon:
      action.id = fields.integer("pid");
      break;
    case FenceAction::Kind::kKillVmGroup:
      action.vm = fields.string("vm");
      action.id = fields.integer("process_group");
      break;
    case FenceAction::Kind::kReboot:
      action.trigger = fields.string("trigger");
      break;
    case FenceAction::Kind::kResetTcp:
      action.id = fields.integer("connections");
      break;
  }
  return action;
}

}  // namespace

std::string encode_fence_record(const FenceRecord& record) {
  json actions = json::array();
  for (const FenceAction& action : record.actions) actions.push_back(action_to_json(action));
  const json out = {
      {"format", kFormat},
      {"version", kVersion},
      {"time", utc_time(record.unix_ms, "T") + "Z"},
      {"unix_ms", record.unix_ms},
      {"host", record.host},
      {"decided_by", cause_name(record.decided_by)},
      {"reason", record.reason},
      {"fencer", record.fencer},
      {"complete", record.complete},
      {"actions", std::move(actions)},
      {"problems", record.problems},
  };
  return out.dump(2) + "\n";
}

std::variant<FenceRecord, std::string> decode_fence_record(std::string_view text) {
  try {
    const json top = json::parse(text);
    const Fields fields(top, "");
    if (fields.string("format") != kFormat) return std::string("not a poolha fence reason record");
    if (const std::int64_t version = fields.integer("version"); version != kVersion) {
      return fmt::format("fence reason record version {} is not supported", version);
    }
    FenceRecord record;
    record.unix_ms = fields.integer("unix_ms");
    record.host = fields.string("host");
    const std::string cause = fields.string("decided_by");
    const auto known_cause = parse_cause(cause);
    if (!known_cause) return fmt::format("decided_by: unknown cause '{}'", cause);
    record.decided_by = *known_cause;
    record.reason = fields.string("reason");
    record.fencer = fields.string("fencer");
    record.complete = fields.boolean("complete");
    const json& actions = fields.array("actions");
    for (std::size_t i = 0; i < actions.size(); ++i) {
      record.actions.push_back(action_from_json(actions[i], i));
    }
    for (const json& problem : fields.array("problems")) {
      if (!problem.is_string()) return std::string("problems: an entry is not a string");
      record.problems.push_back(problem.get<std::string>());
    }
    return record;
  } catch (const json::exception& error) {
    return fmt::format("not valid JSON: {}", error.what());
  } catch (const FenceRecordError& error) {
    return std::string(error.what());
  }
}

std::filesystem::path fence_record_path(const std::filesystem::path& state_dir) {
  return state_dir / kFenceReasonFileName;
}

void write_fence_record(const std::filesystem::path& state_dir, const FenceRecord& record) {
  replace_file_durably(fence_record_path(state_dir), encode_fence_record(record));
}

std::optional<FenceRecord> read_fence_record(const std::filesystem::path& state_dir) {
  const std::filesystem::path path = fence_record_path(state_dir);
  std::error_code error;
  if (!std::filesystem::exists(path, error)) {
    if (!error) return std::nullopt;
    throw FenceRecordError(fmt::format("cannot read {}: {}", path.string(), error.message()));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw FenceRecordError(fmt::format("cannot open {}", path.string()));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw FenceRecordError(fmt::format("cannot read {}", path.string()));
  auto decoded = decode_fence_record(text.str());
  if (auto* problem = std::get_if<std::string>(&decoded)) {
    throw FenceRecordError(fmt::format("{}: {}", path.string(), *problem));
  }
  return std::get<FenceRecord>(std::move(decoded));
}

std::string describe_action(const FenceAction& action) {
  std::string what;
  switch (action.kind) {
    case FenceAction::Kind::kKillDaemon:
      what = fmt::format("kill the daemon (pid {})", action.id);
      break;
    case FenceAction::Kind::kKillVmGroup:
      what = fmt::format("kill VM {} (process group {})", action.vm, action.id);
      break;
    case FenceAction::Kind::kReboot:
      what = fmt::format("reboot through {}", action.trigger);
      break;
    case FenceAction::Kind::kResetTcp:
      what = action.outcome == FenceAction::Outcome::kDone
                 ? fmt::format("reset the host's TCP connections ({} aborted)", action.id)
                 : std::string("reset the host's TCP connections");
      break;
  }
  std::string outcome;
  switch (action.outcome) {
    case FenceAction::Outcome::kPending:
      outcome = "not confirmed";
      break;
    case FenceAction::Outcome::kDone:
      outcome = "done";
      break;
    case FenceAction::Outcome::kAlreadyGone:
      outcome = "already gone";
      break;
    case FenceAction::Outcome::kRefused:
      outcome = "refused";
      break;
    case FenceAction::Outcome::kFailed:
      outcome = "FAILED";
      break;
  }
  if (!action.detail.empty()) outcome += " (" + action.detail + ")";
  return fmt::format("{}: {}", what, outcome);
}

std::string render_fence_record(const FenceRecord& record) {
  std::string out;
  out += fmt::format("Host {} fenced at {} UTC (that host's wall clock).\n", record.host,
                     utc_time(record.unix_ms, " "));
  out += fmt::format("Decided by: {}: {}.\n", cause_name(record.decided_by),
                     cause_explanation(record.decided_by));
  out += fmt::format("Reason: {}\n", record.reason);
  out += fmt::format("Fencer: {}\n", record.fencer);
  if (record.actions.empty()) {
    out += "Actions: none (no daemon connected, no VM process group recorded)\n";
  } else {
    out += "Actions:\n";
    for (const FenceAction& action : record.actions) {
      out += "  " + describe_action(action) + "\n";
    }
  }
  if (!record.problems.empty()) {
    out += "Problems:\n";
    for (const std::string& problem : record.problems) out += "  " + problem + "\n";
  }
  if (!record.complete) {
    out +=
        "This record was written before acting; the host stopped before it could record the "
        "outcomes.\n";
  }
  return out;
}

std::int64_t wall_clock_unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string local_host_name() {
  std::array<char, HOST_NAME_MAX + 1> name{};
  if (::gethostname(name.data(), name.size() - 1) != 0) {
    return fmt::format("unknown (gethostname: {})", std::strerror(errno));
  }
  return std::string(name.data());
}

}  // namespace poolha::fence
