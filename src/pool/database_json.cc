#include "pool/database_json.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <vector>

#include "pool/json_object_reader.h"
#include "pool/record_json.h"

namespace poolha::pool {

using json_detail::ObjectReader;
using nlohmann::json;

namespace {

template <typename Record>
json records_to_json(const RecordMap<Record>& records) {
  json out = json::array();
  for (const auto& [uuid, record] : records) out.push_back(json_detail::to_json(record));
  return out;
}

// Reads every element of `key` with `read` into `out`; false on the first error.
template <typename Record, typename ReadFn>
Status read_records(ObjectReader& top, std::string_view key, ReadFn read,
                    std::vector<Record>& out) {
  const std::vector<const json*> elements = top.array(key);
  for (std::size_t i = 0; i < elements.size(); ++i) {
    ObjectReader element(*elements[i], fmt::format("{}[{}]", key, i));
    Record record = read(element);
    if (Status s = element.finish(); !s) return s;
    out.push_back(std::move(record));
  }
  return {};
}

Result<Database> database_from_json(const json& top_value) {
  ObjectReader top(top_value, "");
  const std::string format = top.string("format");
  if (!top.failed() && format != kDatabaseJsonFormat) top.fail("format", "not a pool database");
  const std::int64_t version = top.int64("version");
  if (!top.failed() && version != kDatabaseJsonVersion) {
    top.fail("version", fmt::format("version {} is not supported", version));
  }
  Pool pool;
  if (const json* pool_value = top.object("pool")) {
    ObjectReader reader(*pool_value, "pool");
    pool = json_detail::read_pool(reader);
    if (Status s = reader.finish(); !s) return s.error();
  }
  std::vector<Host> hosts;
  std::vector<Sr> srs;
  std::vector<Vm> vms;
  if (Status s = read_records(top, "hosts", json_detail::read_host, hosts); !s) return s.error();
  if (Status s = read_records(top, "srs", json_detail::read_sr, srs); !s) return s.error();
  if (Status s = read_records(top, "vms", json_detail::read_vm, vms); !s) return s.error();
  if (Status s = top.finish(); !s) return s.error();
  return Database::from_records(std::move(pool), std::move(hosts), std::move(srs), std::move(vms));
}

}  // namespace

std::string encode_database(const Database& database) {
  const json top{{"format", kDatabaseJsonFormat},
                 {"version", kDatabaseJsonVersion},
                 {"pool", json_detail::to_json(database.pool())},
                 {"hosts", records_to_json(database.hosts())},
                 {"srs", records_to_json(database.srs())},
                 {"vms", records_to_json(database.vms())}};
  return json_detail::dump_json(top);
}

Result<Database> decode_database(std::string_view text) {
  Result<json> parsed = json_detail::parse_json(text);
  if (!parsed) return parsed.error();
  try {
    return database_from_json(parsed.value());
  } catch (const json::exception& e) {
    // The readers check types before every access; this is a second net.
    return Error{ErrorCode::kMalformed, e.what()};
  }
}

}  // namespace poolha::pool
