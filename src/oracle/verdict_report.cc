#include "oracle/verdict_report.h"

#include <algorithm>

#include <fmt/format.h>

namespace poolha::oracle {

namespace {

struct Totals {
  std::size_t boots = 0;
  std::size_t records = 0;
  std::size_t acked = 0;
};

Totals totals_of(const Verdict& verdict) {
  Totals totals;
  for (const VmSummary& vm : verdict.vms) {
    totals.boots += vm.boots;
    totals.records += vm.records;
    totals.acked += vm.acked;
  }
  return totals;
}

std::string as_milliseconds(std::uint64_t ns) {
  return fmt::format("{}.{:03} ms", ns / 1'000'000, ns / 1'000 % 1'000);
}

// Appends the lines of `items` that belong to `vm`, at most `max` of them.
template <typename Item, typename Format>
void append_details(std::string& out, const std::vector<Item>& items, const std::string& vm,
                    std::size_t max, Format format) {
  std::size_t shown = 0, total = 0;
  for (const Item& item : items) {
    if (item.vm != vm) continue;
    if (total++ < max) {
      out += "  " + format(item) + "\n";
      ++shown;
    }
  }
  if (total > shown) out += fmt::format("  ... and {} more\n", total - shown);
}

std::string overlap_line(const Overlap& o) {
  return fmt::format("DOUBLE RUN: boots {} and {} overlap by {}", o.first.hex(), o.second.hex(),
                     as_milliseconds(o.overlap_ns));
}

std::string lost_line(const LostRecord& l) {
  return fmt::format("LOST: boot {} sequence {} (time {} ns), acknowledged at {}", l.boot.hex(),
                     l.sequence, l.time_ns, l.source);
}

std::string corruption_line(const Corruption& c) {
  return fmt::format("CORRUPT ({}): {}", to_string(c.kind), c.detail);
}

}  // namespace

std::string format_verdict(const Verdict& verdict, std::size_t max_details) {
  std::string out;
  for (const VmSummary& vm : verdict.vms) {
    out += fmt::format(
        "vm {}: {} boots, {} records, {} acked, {}, {} lost, {} corrupt\n", vm.vm, vm.boots,
        vm.records, vm.acked,
        vm.overlaps == 0 ? std::string("no overlap") : fmt::format("{} OVERLAPS", vm.overlaps),
        vm.lost, vm.corruptions);
    append_details(out, verdict.overlaps, vm.vm, max_details, overlap_line);
    append_details(out, verdict.lost, vm.vm, max_details, lost_line);
    append_details(out, verdict.corruptions, vm.vm, max_details, corruption_line);
  }
  // Violations of VMs without a disk (acks for an unknown VM).
  for (const Corruption& c : verdict.corruptions) {
    const bool judged = std::any_of(verdict.vms.begin(), verdict.vms.end(),
                                    [&](const VmSummary& vm) { return vm.vm == c.vm; });
    if (!judged) out += fmt::format("vm {}: {}\n", c.vm, corruption_line(c));
  }
  for (const std::string& warning : verdict.warnings) out += "warning: " + warning + "\n";
  const Totals totals = totals_of(verdict);
  if (verdict.clean()) {
    out += fmt::format("verdict: PASS ({} VMs, {} boots, {} records, {} acked)\n",
                       verdict.vms.size(), totals.boots, totals.records, totals.acked);
  } else {
    out += fmt::format(
        "verdict: FAIL ({} double runs, {} lost acknowledged records, {} corruptions)\n",
        verdict.overlaps.size(), verdict.lost.size(), verdict.corruptions.size());
  }
  return out;
}

nlohmann::json verdict_summary_json(const Verdict& verdict) {
  const Totals totals = totals_of(verdict);
  return {{"ok", verdict.clean()},
          {"vms", verdict.vms.size()},
          {"boots", totals.boots},
          {"records", totals.records},
          {"acked", totals.acked},
          {"overlaps", verdict.overlaps.size()},
          {"lost", verdict.lost.size()},
          {"corruptions", verdict.corruptions.size()},
          {"warnings", verdict.warnings.size()}};
}

nlohmann::json verdict_json(const Verdict& verdict) {
  nlohmann::json out = verdict_summary_json(verdict);
  nlohmann::json per_vm = nlohmann::json::array();
  for (const VmSummary& vm : verdict.vms) {
    per_vm.push_back({{"vm", vm.vm},
                      {"boots", vm.boots},
                      {"records", vm.records},
                      {"acked", vm.acked},
                      {"overlaps", vm.overlaps},
                      {"lost", vm.lost},
                      {"corruptions", vm.corruptions}});
  }
  out["per_vm"] = std::move(per_vm);
  nlohmann::json overlaps = nlohmann::json::array();
  for (const Overlap& o : verdict.overlaps) {
    overlaps.push_back({{"vm", o.vm},
                        {"first_boot", o.first.hex()},
                        {"second_boot", o.second.hex()},
                        {"overlap_ns", o.overlap_ns}});
  }
  out["overlap_details"] = std::move(overlaps);
  nlohmann::json lost = nlohmann::json::array();
  for (const LostRecord& l : verdict.lost) {
    lost.push_back({{"vm", l.vm},
                    {"boot", l.boot.hex()},
                    {"sequence", l.sequence},
                    {"time_ns", l.time_ns},
                    {"source", l.source}});
  }
  out["lost_details"] = std::move(lost);
  nlohmann::json corruptions = nlohmann::json::array();
  for (const Corruption& c : verdict.corruptions) {
    corruptions.push_back(
        {{"vm", c.vm}, {"kind", std::string(to_string(c.kind))}, {"detail", c.detail}});
  }
  out["corruption_details"] = std::move(corruptions);
  out["warning_details"] = verdict.warnings;
  return out;
}

}  // namespace poolha::oracle
