// How a verdict is shown: a human report (one line per VM, then each
// violation) and JSON for the chaos harness (the counts, and optionally
// every violation).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "oracle/oracle.h"

namespace poolha::oracle {

// For example:
//   vm 5f0c...: 3 boots, 1234 records, 1200 acked, no overlap, 0 lost, 0 corrupt
//   verdict: PASS (1 VMs, 3 boots, 1234 records, 1200 acked)
// A failing VM is followed by its violations, at most `max_details` lines of
// each kind; the final line says FAIL and what was found.
std::string format_verdict(const Verdict& verdict, std::size_t max_details = 20);

// {"ok", "vms", "boots", "records", "acked", "overlaps", "lost",
//  "corruptions", "warnings"}: counts, for the harness to assert on.
nlohmann::json verdict_summary_json(const Verdict& verdict);

// The summary plus "per_vm" (VmSummary each) and every overlap, lost record,
// corruption and warning.
nlohmann::json verdict_json(const Verdict& verdict);

}  // namespace poolha::oracle
