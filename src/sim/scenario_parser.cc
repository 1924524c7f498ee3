#include "sim/scenario_parser.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

#include "sim/duration_text.h"
#include "wire/phase_name.h"

namespace poolha::sim {

std::string ParseError::to_string() const {
  if (line == 0) return fmt::format("{}: {}", file, message);
  return fmt::format("{}:{}: {}", file, line, message);
}

namespace {

// Thrown inside the parser only; parse_scenario turns it into a ParseError.
struct Failure {
  int line;
  std::string message;
};

std::vector<std::string> split_words(std::string_view line) {
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    std::size_t j = i;
    while (j < line.size() && line[j] != ' ' && line[j] != '\t' && line[j] != '\r') ++j;
    if (j > i) words.emplace_back(line.substr(i, j - i));
    i = j;
  }
  return words;
}

// The timing names `set` accepts, mapped to their override field.
using OverrideField = std::optional<Duration> ha::TimingOverrides::*;
const std::map<std::string, OverrideField>& override_fields() {
  static const std::map<std::string, OverrideField> kFields{
      {"hb-interval", &ha::TimingOverrides::hb_interval},
      {"sf-interval", &ha::TimingOverrides::sf_interval},
      {"sf-fast-interval", &ha::TimingOverrides::sf_fast_interval},
      {"io-timeout", &ha::TimingOverrides::io_timeout},
      {"peer-timeout", &ha::TimingOverrides::peer_timeout},
      {"unsteady-after", &ha::TimingOverrides::unsteady_after},
      {"commit-window", &ha::TimingOverrides::commit_window},
      {"lease", &ha::TimingOverrides::lease},
      {"margin", &ha::TimingOverrides::margin},
      {"watchdog", &ha::TimingOverrides::watchdog},
      {"boot-wait", &ha::TimingOverrides::boot_wait},
      {"join-probation", &ha::TimingOverrides::join_probation}};
  return kFields;
}

class Parser {
 public:
  explicit Parser(std::string_view text) {
    std::size_t start = 0;
    while (start <= text.size()) {
      std::size_t end = text.find('\n', start);
      if (end == std::string_view::npos) end = text.size();
      std::string_view raw = text.substr(start, end - start);
      if (auto hash = raw.find('#'); hash != std::string_view::npos) raw = raw.substr(0, hash);
      lines_.push_back(split_words(raw));
      start = end + 1;
    }
  }

  Scenario parse() {
    find_host_count();
    for (std::size_t i = 0; i < lines_.size(); ++i) {
      line_ = static_cast<int>(i) + 1;
      words_ = &lines_[i];
      if (words_->empty()) continue;
      declaration();
    }
    line_ = 0;
    finish();
    return std::move(s_);
  }

 private:
  [[noreturn]] void fail(std::string message) const { throw Failure{line_, std::move(message)}; }

  const std::string& word(std::size_t i, std::string_view what) const {
    if (i >= words_->size()) fail(fmt::format("expected {} after '{}'", what, (*words_)[i - 1]));
    return (*words_)[i];
  }
  void expect_end(std::size_t i) const {
    if (i < words_->size())
      fail(fmt::format("unexpected '{}' at the end of '{}'", (*words_)[i], (*words_)[0]));
  }

  // `hosts` must be known before any host name can be checked.
  void find_host_count() {
    int found_line = 0;
    for (std::size_t i = 0; i < lines_.size(); ++i) {
      if (lines_[i].empty() || lines_[i][0] != "hosts") continue;
      line_ = static_cast<int>(i) + 1;
      words_ = &lines_[i];
      if (found_line != 0) fail(fmt::format("'hosts' given twice (first on line {})", found_line));
      found_line = line_;
      const auto n = parse_unsigned(word(1, "a host count"), kMaxHosts);
      if (!n || *n == 0)
        fail(fmt::format("expected a host count 1..{}, got '{}'", kMaxHosts, (*words_)[1]));
      expect_end(2);
      s_.hosts = static_cast<std::uint16_t>(*n);
    }
    line_ = 0;
    if (found_line == 0) fail("missing 'hosts N' line");
    s_.host_decls.resize(s_.hosts);
  }

  Duration duration(const std::string& text, std::string_view what = "a duration") const {
    auto d = parse_duration(text);
    if (!d) fail(fmt::format("expected {} such as 30s, 1.5s or 500ms, got '{}'", what, text));
    return *d;
  }
  Duration signed_duration(const std::string& text) const {
    auto d = parse_duration(text, true);
    if (!d) fail(fmt::format("expected a signed duration such as +3600s or -10s, got '{}'", text));
    return *d;
  }
  std::uint32_t percent(const std::string& text) const {
    auto p = parse_percent_ppm(text);
    if (!p) fail(fmt::format("expected a percentage 0%..100% such as 30%, got '{}'", text));
    return *p;
  }
  std::uint64_t number(const std::string& text, std::uint64_t max, std::string_view what) const {
    auto n = parse_unsigned(text, max);
    if (!n) fail(fmt::format("expected {} (0..{}), got '{}'", what, max, text));
    return *n;
  }
  std::int32_t ppm(const std::string& text) const {
    std::string_view t = text;
    std::int64_t sign = 1;
    if (!t.empty() && (t[0] == '+' || t[0] == '-')) {
      sign = t[0] == '-' ? -1 : 1;
      t.remove_prefix(1);
    }
    if (!t.ends_with("ppm"))
      fail(fmt::format("expected a clock drift such as +200ppm, got '{}'", text));
    t.remove_suffix(3);
    auto n = parse_unsigned(t, 100'000);
    if (!n) fail(fmt::format("expected a clock drift within +-100000ppm, got '{}'", text));
    return static_cast<std::int32_t>(sign * static_cast<std::int64_t>(*n));
  }

  HostIndex host(const std::string& text) const {
    if (text.size() >= 2 && text[0] == 'h') {
      auto n = parse_unsigned(std::string_view(text).substr(1), kMaxHosts);
      if (n && *n < s_.hosts) return static_cast<HostIndex>(*n);
    }
    fail(fmt::format("expected a host h0..h{}, got '{}'", s_.hosts - 1, text));
  }
  HostRef host_or_master(const std::string& text) const {
    if (text == "master") return HostRef{HostRef::kMaster};
    return HostRef{host(text)};
  }
  // One or more hosts, or `all`, up to the first key=value word.
  std::vector<HostIndex> host_list(std::size_t& i) const {
    std::vector<HostIndex> hosts;
    if (i < words_->size() && (*words_)[i] == "all") {
      ++i;
      for (HostIndex h = 0; h < s_.hosts; ++h) hosts.push_back(h);
      return hosts;
    }
    while (i < words_->size() && (*words_)[i].find('=') == std::string::npos &&
           (*words_)[i][0] == 'h') {
      hosts.push_back(host((*words_)[i]));
      ++i;
    }
    if (hosts.empty()) {
      fail(i < words_->size()
               ? fmt::format("expected host names (h0 h1 ...) or 'all', got '{}'", (*words_)[i])
               : fmt::format("expected host names (h0 h1 ...) or 'all' after '{}'",
                             (*words_)[i - 1]));
    }
    return hosts;
  }
  std::vector<HostRef> host_refs(std::size_t& i) const {
    if (i < words_->size() && (*words_)[i] == "master") {
      ++i;
      return {HostRef{HostRef::kMaster}};
    }
    std::vector<HostRef> refs;
    for (HostIndex h : host_list(i)) refs.push_back(HostRef{h});
    return refs;
  }

  // key=value options after position i; each key must be in `allowed`.
  std::map<std::string, std::string> options(
      std::size_t i, std::initializer_list<std::string_view> allowed) const {
    std::map<std::string, std::string> out;
    for (; i < words_->size(); ++i) {
      const std::string& w = (*words_)[i];
      const auto eq = w.find('=');
      std::string key = w.substr(0, eq);
      if (eq == std::string::npos || eq == 0 ||
          std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        std::string keys;
        for (std::string_view k : allowed)
          keys += fmt::format("{}{}=", keys.empty() ? "" : ", ", k);
        fail(allowed.size() == 0 ? fmt::format("unexpected '{}'", w)
                                 : fmt::format("unexpected '{}' (expected one of {})", w, keys));
      }
      if (out.contains(key)) fail(fmt::format("option '{}' given twice", key));
      out[key] = w.substr(eq + 1);
    }
    return out;
  }

  VirtualTime time_point(const std::string& text) const {
    return kSimStart + duration(text, "a time");
  }

  void declaration() {
    const std::string& keyword = (*words_)[0];
    if (keyword == "hosts") return;  // handled by find_host_count
    if (keyword == "timeout") {
      s_.timeout = duration(word(1, "a timeout"), "a timeout");
      expect_end(2);
    } else if (keyword == "weights") {
      if (words_->size() != s_.hosts + 1u)
        fail(fmt::format("expected {} weights (one per host), got {}", s_.hosts,
                         words_->size() - 1));
      for (std::size_t i = 1; i < words_->size(); ++i) {
        const auto w = number((*words_)[i], 0xFFFFFFFF, "a weight >= 1");
        if (w == 0) fail("weights must be >= 1");
        s_.host_decls[i - 1].weight = static_cast<std::uint32_t>(w);
      }
    } else if (keyword == "set") {
      if (words_->size() < 2) fail("expected NAME=DURATION after 'set'");
      for (std::size_t i = 1; i < words_->size(); ++i) set_override((*words_)[i]);
    } else if (keyword == "reboot-after-fence") {
      const std::string& v = word(1, "a duration or 'never'");
      s_.reboot_after_fence = v == "never" ? std::nullopt : std::optional(duration(v));
      expect_end(2);
    } else if (keyword == "seed") {
      s_.seed = number(word(1, "a seed"), ~std::uint64_t{0}, "a seed");
      expect_end(2);
    } else if (keyword == "duration") {
      s_.duration = duration(word(1, "a duration"));
      expect_end(2);
    } else if (keyword == "host") {
      host_declaration();
    } else if (keyword == "network") {
      auto o = options(1, {"delay", "jitter", "loss"});
      if (o.contains("delay")) s_.network.delay = duration(o["delay"]);
      if (o.contains("jitter")) s_.network.jitter = duration(o["jitter"]);
      if (o.contains("loss")) s_.network.loss_ppm = percent(o["loss"]);
    } else if (keyword == "storage") {
      auto o = options(1, {"latency", "jitter"});
      if (o.contains("latency")) s_.storage.latency = duration(o["latency"]);
      if (o.contains("jitter")) s_.storage.jitter = duration(o["jitter"]);
    } else if (keyword == "vm") {
      vm_declaration();
    } else if (keyword == "pool") {
      pool_declaration();
    } else if (keyword == "expect") {
      s_.whole_run.push_back(WholeRunExpectation{line_, expectation(1)});
    } else if (keyword == "at") {
      timed_action();
    } else {
      fail(fmt::format(
          "unknown line '{}' (expected hosts, timeout, weights, set, reboot-after-fence, seed, "
          "duration, host, network, storage, vm, pool, expect or at)",
          keyword));
    }
  }

  void set_override(const std::string& assignment) {
    const auto eq = assignment.find('=');
    std::string name = assignment.substr(0, eq);
    std::replace(name.begin(), name.end(), '_', '-');
    const auto& fields = override_fields();
    auto it = fields.find(name);
    if (eq == std::string::npos || it == fields.end()) {
      std::string names;
      for (const auto& [n, f] : fields) names += (names.empty() ? "" : ", ") + n;
      fail(fmt::format("expected NAME=DURATION with NAME one of {}, got '{}'", names, assignment));
    }
    s_.overrides.*(it->second) = duration(assignment.substr(eq + 1));
  }

  void host_declaration() {
    HostDecl& d = s_.host_decls[host(word(1, "a host"))];
    std::size_t i = 2;
    if (i < words_->size() && ((*words_)[i] == "off" || (*words_)[i] == "on")) {
      d.powered_on = (*words_)[i] == "on";
      ++i;
    }
    auto o =
        options(i, {"clock", "drift", "weight", "storage-latency", "storage-jitter", "memory"});
    if (o.contains("memory")) {
      d.memory_mib = number(o["memory"], 1ull << 40, "a memory size in MiB");
      if (*d.memory_mib == 0) fail("a host needs memory >= 1 MiB");
    }
    if (o.contains("clock")) d.clock = duration(o["clock"]);
    if (o.contains("drift")) d.drift_ppm = ppm(o["drift"]);
    if (o.contains("weight")) {
      const auto w = number(o["weight"], 0xFFFFFFFF, "a weight >= 1");
      if (w == 0) fail("weights must be >= 1");
      d.weight = static_cast<std::uint32_t>(w);
    }
    if (o.contains("storage-latency") || o.contains("storage-jitter")) {
      StorageLatency l = s_.storage;
      if (o.contains("storage-latency")) l.latency = duration(o["storage-latency"]);
      if (o.contains("storage-jitter")) l.jitter = duration(o["storage-jitter"]);
      d.storage = l;
    }
  }

  VmPriority priority(const std::string& p) {
    if (p == "restart") return VmPriority::kRestart;
    if (p == "best-effort") return VmPriority::kBestEffort;
    if (p == "unprotected") return VmPriority::kUnprotected;
    fail(fmt::format("expected priority restart, best-effort or unprotected, got '{}'", p));
  }

  bool on_off(const std::string& name, const std::string& v) {
    if (v == "on") return true;
    if (v == "off") return false;
    fail(fmt::format("expected {}=on or {}=off, got '{}'", name, name, v));
  }

  void pool_declaration() {
    PoolDecl& p = s_.pool;
    p.declared = true;
    auto o = options(
        1, {"restart-on-internal-shutdown", "failures-to-tolerate", "allow-overcommit", "vm-boot"});
    if (o.contains("restart-on-internal-shutdown"))
      p.restart_on_internal_shutdown =
          on_off("restart-on-internal-shutdown", o["restart-on-internal-shutdown"]);
    if (o.contains("failures-to-tolerate"))
      p.failures_to_tolerate = static_cast<std::uint32_t>(
          number(o["failures-to-tolerate"], kMaxHosts, "a number of host failures"));
    if (o.contains("allow-overcommit"))
      p.allow_overcommit = on_off("allow-overcommit", o["allow-overcommit"]);
    if (o.contains("vm-boot")) p.vm_boot = duration(o["vm-boot"]);
  }

  void vm_declaration() {
    VmSpec vm;
    vm.line = line_;
    vm.name = word(1, "a VM name");
    if (vm.name.find('=') != std::string::npos)
      fail(fmt::format("expected a VM name, got '{}'", vm.name));
    for (const VmSpec& other : s_.vms)
      if (other.name == vm.name)
        fail(fmt::format("VM '{}' declared twice (first on line {})", vm.name, other.line));
    auto o = options(2, {"host", "memory", "priority", "order", "start-delay"});
    if (!o.contains("host")) fail(fmt::format("VM '{}' needs host=hN", vm.name));
    vm.host = host(o["host"]);
    if (o.contains("memory")) {
      vm.memory_mib = number(o["memory"], 1ull << 40, "a memory size in MiB");
      if (vm.memory_mib == 0) fail("a VM needs memory >= 1 MiB");
    }
    if (o.contains("priority")) vm.priority = priority(o["priority"]);
    if (o.contains("order"))
      vm.order = static_cast<std::uint32_t>(number(o["order"], 0xFFFFFFFF, "an order"));
    if (o.contains("start-delay")) vm.start_delay = duration(o["start-delay"]);
    s_.vms.push_back(std::move(vm));
  }

  const std::string& vm_name(std::size_t i) const {
    const std::string& name = word(i, "a VM name");
    if (std::none_of(s_.vms.begin(), s_.vms.end(), [&](const VmSpec& v) { return v.name == name; }))
      fail(fmt::format("unknown VM '{}' (declare it with a 'vm' line)", name));
    return name;
  }

  HostSet liveset_literal(std::size_t i) const {
    std::string joined;
    for (; i < words_->size(); ++i) joined += (*words_)[i];
    if (joined.size() < 2 || joined.front() != '{' || joined.back() != '}')
      fail(fmt::format("expected a liveset such as {{0,1}} or {{h0,h1}}, got '{}'", joined));
    HostSet set;
    std::string_view inner = std::string_view(joined).substr(1, joined.size() - 2);
    while (!inner.empty()) {
      const auto comma = inner.find(',');
      std::string item(inner.substr(0, comma));
      inner = comma == std::string_view::npos ? std::string_view() : inner.substr(comma + 1);
      if (!item.empty() && item[0] != 'h') item = "h" + item;
      set.insert(host(item));
    }
    return set;
  }

  Expectation expectation(std::size_t i) {
    Expectation e;
    const std::string& what = word(i, "an expectation");
    ++i;
    if (what == "liveset") {
      e.kind = ExpectKind::kLiveset;
      e.hosts_set = liveset_literal(i);
      return e;
    }
    if (what == "master") {
      if (word(i, "a host or 'none'") == "none") {
        e.kind = ExpectKind::kNoMaster;
      } else {
        e.kind = ExpectKind::kMaster;
        e.hosts.push_back(host((*words_)[i]));
      }
      expect_end(i + 1);
    } else if (what == "fenced") {
      e.kind = ExpectKind::kFenced;
      e.hosts = host_list(i);
      auto o = options(i, {"reason"});
      if (o.contains("reason")) e.text = o["reason"];
    } else if (what == "not-fenced" || what == "running" || what == "down") {
      e.kind = what == "not-fenced" ? ExpectKind::kNotFenced
               : what == "running"  ? ExpectKind::kRunning
                                    : ExpectKind::kDown;
      e.hosts = host_list(i);
      expect_end(i);
    } else if (what == "no-fence") {
      e.kind = ExpectKind::kNoFence;
      expect_end(i);
    } else if (what == "not-all-fenced") {
      e.kind = ExpectKind::kNotAllFenced;
      expect_end(i);
    } else if (what == "phase") {
      e.kind = ExpectKind::kPhase;
      e.hosts.push_back(host(word(i, "a host")));
      const std::string& name = word(i + 1, "a phase");
      if (name == "off") {
        e.phase_off = true;
      } else if (auto p = wire::phase_from_name(name)) {
        e.phase = *p;
      } else {
        fail(fmt::format(
            "expected a phase (booting, emergency, joining, member, left, fenced, disabled, off), "
            "got '{}'",
            name));
      }
      expect_end(i + 2);
    } else if (what == "alert" || what == "no-alert") {
      e.kind = what == "alert" ? ExpectKind::kAlert : ExpectKind::kNoAlert;
      e.text = word(i, "an alert name");
      auto o = options(i + 1, {"by"});
      if (o.contains("by")) e.hosts.push_back(host(o["by"]));
    } else if (what == "rejoined") {
      e.kind = ExpectKind::kRejoined;
      e.hosts.push_back(host(word(i, "a host")));
      expect_end(i + 1);
    } else if (what == "vm-running") {
      e.kind = ExpectKind::kVmRunning;
      e.text = vm_name(i);
      auto o = options(i + 1, {"on"});
      if (o.contains("on")) e.hosts.push_back(host(o["on"]));
    } else if (what == "vm-halted") {
      e.kind = ExpectKind::kVmHalted;
      e.text = vm_name(i);
      expect_end(i + 1);
    } else if (what == "api-refused") {
      e.kind = ExpectKind::kApiRefused;
      e.text = word(i, "an error code such as HA_OPERATION_WOULD_BREAK_FAILOVER_PLAN");
      expect_end(i + 1);
    } else if (what == "plan-exists-for") {
      e.kind = ExpectKind::kPlanExistsFor;
      e.number =
          number(word(i, "a number of host failures"), kMaxHosts, "a number of host failures");
      expect_end(i + 1);
    } else {
      fail(fmt::format(
          "unknown expectation '{}' (expected liveset, master, fenced, not-fenced, no-fence, "
          "not-all-fenced, running, down, phase, alert, no-alert, rejoined, vm-running, "
          "vm-halted, api-refused or plan-exists-for)",
          what));
    }
    return e;
  }

  void timed_action() {
    TimedAction t;
    t.line = line_;
    t.at = time_point(word(1, "a time such as 60s"));
    const std::string& command = word(2, "a command");
    Action& a = t.action;
    std::size_t i = 3;
    // Commands taking a list of hosts (or `all`, or `master`) and nothing else.
    static const std::map<std::string_view, ActionKind> kHostsOnly{
        {"enable", ActionKind::kEnable},
        {"disable", ActionKind::kDisable},
        {"leave", ActionKind::kLeave},
        {"disarm", ActionKind::kDisarm},
        {"emergency-disable", ActionKind::kEmergencyDisable},
        {"power-off", ActionKind::kPowerOff},
        {"power-on", ActionKind::kPowerOn},
        {"nic-down", ActionKind::kNicDown},
        {"nic-up", ActionKind::kNicUp},
        {"storage-down", ActionKind::kStorageDown},
        {"storage-up", ActionKind::kStorageUp},
        {"storage-error", ActionKind::kStorageError},
        {"torn-write", ActionKind::kTornWrite}};
    static const std::map<std::string_view, ActionKind> kPairs{
        {"handover", ActionKind::kHandover},
        {"link-cut", ActionKind::kLinkCut},
        {"link-restore", ActionKind::kLinkRestore},
        {"link-down", ActionKind::kLinkDown},
        {"link-up", ActionKind::kLinkUp}};
    static const std::map<std::string_view, ActionKind> kBare{
        {"switch-fail", ActionKind::kSwitchFail},
        {"switch-restore", ActionKind::kSwitchRestore},
        {"heal", ActionKind::kHeal},
        {"settle", ActionKind::kSettle}};
    static const std::map<std::string_view, ActionKind> kVm{
        {"vm-shutdown", ActionKind::kVmShutdown},
        {"vm-halt", ActionKind::kVmHalt},
        {"vm-crash", ActionKind::kVmCrash}};

    if (auto it = kHostsOnly.find(command); it != kHostsOnly.end()) {
      a.kind = it->second;
      a.hosts = host_refs(i);
      expect_end(i);
    } else if (auto pair = kPairs.find(command); pair != kPairs.end()) {
      a.kind = pair->second;
      a.hosts.push_back(host_or_master(word(i, "two hosts")));
      a.hosts.push_back(HostRef{host(word(i + 1, "a second host"))});
      if (a.hosts[0] == a.hosts[1]) fail(fmt::format("'{}' needs two different hosts", command));
      if (a.kind != ActionKind::kHandover && a.hosts[0].is_master())
        fail(fmt::format("'{}' needs fixed hosts, not 'master'", command));
      expect_end(i + 2);
    } else if (auto bare = kBare.find(command); bare != kBare.end()) {
      a.kind = bare->second;
      expect_end(i);
    } else if (auto vm = kVm.find(command); vm != kVm.end()) {
      a.kind = vm->second;
      a.vm = vm_name(i);
      expect_end(i + 1);
    } else if (command == "vm-fail-starts") {
      a.kind = ActionKind::kVmFailStarts;
      a.hosts.push_back(HostRef{host(word(i, "a host"))});
      a.number = number(word(i + 1, "a number of starts"), 1000000, "a number of starts");
      expect_end(i + 2);
    } else if (command == "vm-set-priority") {
      a.kind = ActionKind::kVmSetPriority;
      a.vm = vm_name(i);
      a.priority = priority(word(i + 1, "a priority"));
      expect_end(i + 2);
    } else if (command == "pool-set") {
      a.kind = ActionKind::kPoolSetTarget;
      auto o = options(i, {"failures-to-tolerate"});
      if (!o.contains("failures-to-tolerate")) fail("'pool-set' needs failures-to-tolerate=N");
      a.number = number(o["failures-to-tolerate"], kMaxHosts, "a number of host failures");
    } else if (command == "vm-start") {
      a.kind = ActionKind::kVmStart;
      a.vm = vm_name(i);
      auto o = options(i + 1, {"on"});
      if (o.contains("on")) a.hosts.push_back(HostRef{host(o["on"])});
    } else if (command == "link-set") {
      a.kind = ActionKind::kLinkSet;
      a.hosts.push_back(HostRef{host(word(i, "two hosts"))});
      a.hosts.push_back(HostRef{host(word(i + 1, "a second host"))});
      if (a.hosts[0] == a.hosts[1]) fail("'link-set' needs two different hosts");
      auto o = options(i + 2, {"delay", "jitter", "loss"});
      if (o.empty()) fail("'link-set' needs delay=, jitter= or loss=");
      if (o.contains("delay")) a.link_delay = duration(o["delay"]);
      if (o.contains("jitter")) a.link_jitter = duration(o["jitter"]);
      if (o.contains("loss")) a.link_loss_ppm = percent(o["loss"]);
    } else if (command == "reboot") {
      a.kind = ActionKind::kReboot;
      a.hosts = host_refs(i);
      auto o = options(i, {"after"});
      a.duration = o.contains("after") ? duration(o["after"]) : 10s;
    } else if (command == "hang") {
      a.kind = ActionKind::kHang;
      a.hosts = host_refs(i);
      a.duration = duration(word(i, "how long the host hangs"));
      expect_end(i + 1);
    } else if (command == "loss") {
      a.kind = ActionKind::kLoss;
      a.ppm = percent(word(i, "a percentage"));
      expect_end(i + 1);
    } else if (command == "flap") {
      flap(a, i);
    } else if (command == "storage-pause") {
      a.kind = ActionKind::kStoragePause;
      a.hosts = host_refs(i);
      if (i < words_->size()) a.duration = duration((*words_)[i++]);
      expect_end(i);
    } else if (command == "storage-latency") {
      a.kind = ActionKind::kStorageLatency;
      a.hosts = host_refs(i);
      a.duration = duration(word(i, "a latency"));
      auto o = options(i + 1, {"jitter"});
      a.jitter = o.contains("jitter") ? duration(o["jitter"]) : Duration::zero();
    } else if (command == "isolation") {
      a.kind = ActionKind::kIsolation;
      a.hosts = host_refs(i);
      const std::string& v = word(i, "reachable, unreachable or auto");
      if (v == "reachable")
        a.isolation = IsolationSetting::kReachable;
      else if (v == "unreachable")
        a.isolation = IsolationSetting::kUnreachable;
      else if (v == "auto")
        a.isolation = IsolationSetting::kAuto;
      else
        fail(fmt::format("expected reachable, unreachable or auto, got '{}'", v));
      expect_end(i + 1);
    } else if (command == "clock-jump") {
      a.kind = ActionKind::kClockJump;
      a.hosts = host_refs(i);
      a.duration = signed_duration(word(i, "a signed duration"));
      expect_end(i + 1);
    } else if (command == "clock-drift") {
      a.kind = ActionKind::kClockDrift;
      a.hosts = host_refs(i);
      a.drift_ppm = ppm(word(i, "a drift such as +200ppm"));
      expect_end(i + 1);
    } else if (command == "expect") {
      a.kind = ActionKind::kExpect;
      a.expect = expectation(3);
    } else {
      fail(fmt::format(
          "unknown command '{}' (see scenarios/README.md for the list: enable, power-off, hang, "
          "nic-down, link-cut, storage-pause, expect, ...)",
          command));
    }
    s_.actions.push_back(std::move(t));
  }

  void flap(Action& a, std::size_t i) {
    a.kind = ActionKind::kFlap;
    a.hosts.push_back(HostRef{host(word(i, "a host"))});
    ++i;
    if (i < words_->size() && (*words_)[i].find('=') == std::string::npos) {
      a.hosts.push_back(HostRef{host((*words_)[i])});
      if (a.hosts[0] == a.hosts[1]) fail("'flap' needs two different hosts");
      ++i;
    }
    auto o = options(i, {"period", "until", "down"});
    if (!o.contains("period") || !o.contains("until"))
      fail("'flap' needs period=DURATION and until=TIME");
    a.period = duration(o["period"]);
    if (a.period <= Duration::zero()) fail("'flap' needs a period > 0");
    a.until = time_point(o["until"]);
    a.down_for = o.contains("down") ? duration(o["down"]) : a.period / 2;
    if (a.down_for <= Duration::zero() || a.down_for >= a.period)
      fail("'flap' needs 0 < down < period");
  }

  void finish() {
    std::stable_sort(s_.actions.begin(), s_.actions.end(),
                     [](const TimedAction& x, const TimedAction& y) { return x.at < y.at; });
    if (s_.timeout <= Duration::zero()) fail("'timeout' must be > 0");
    if (s_.duration) {
      for (const TimedAction& t : s_.actions) {
        if (t.at > kSimStart + *s_.duration) {
          line_ = t.line;
          fail(fmt::format("'at {}' is after the end of the run (duration {})",
                           format_duration(t.at - kSimStart), format_duration(*s_.duration)));
        }
      }
    }
    for (const TimedAction& t : s_.actions) {
      if (t.action.kind == ActionKind::kFlap && *t.action.until <= t.at) {
        line_ = t.line;
        fail("'flap' until= must be after its start");
      }
    }
  }

  std::vector<std::vector<std::string>> lines_;
  const std::vector<std::string>* words_ = nullptr;
  int line_ = 0;
  Scenario s_;
};

}  // namespace

std::variant<Scenario, ParseError> parse_scenario(std::string_view text, std::string file_name) {
  try {
    Scenario s = Parser(text).parse();
    s.name = file_name;
    return s;
  } catch (const Failure& f) {
    return ParseError{std::move(file_name), f.line, f.message};
  }
}

std::variant<Scenario, ParseError> load_scenario_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return ParseError{path, 0, "cannot open the file"};
  std::ostringstream text;
  text << in.rdbuf();
  return parse_scenario(text.str(), path);
}

}  // namespace poolha::sim
