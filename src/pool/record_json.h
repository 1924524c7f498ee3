// Internal to the JSON codecs: each record as a JSON object whose keys are
// the struct's field names (docs/pool-database.md lists them). Readers take
// every field as mandatory; ranges and references are checked later by the
// Database, not here.
#pragma once

#include <nlohmann/json.hpp>

#include "pool/host.h"
#include "pool/json_object_reader.h"
#include "pool/pool_record.h"
#include "pool/sr.h"
#include "pool/vm.h"

namespace poolha::pool::json_detail {

nlohmann::json to_json(const Host& host);
nlohmann::json to_json(const Sr& sr);
nlohmann::json to_json(const Vm& vm);
nlohmann::json to_json(const Pool& pool);

Host read_host(ObjectReader& reader);
Sr read_sr(ObjectReader& reader);
Vm read_vm(ObjectReader& reader);
Pool read_pool(ObjectReader& reader);

PowerState read_power_state(ObjectReader& reader, std::string_view key);
RestartPriority read_restart_priority(ObjectReader& reader, std::string_view key);

}  // namespace poolha::pool::json_detail
