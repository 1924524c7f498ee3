// The whole database as JSON text: the payload of a snapshot record and of a
// slave's local copy. Decoding checks the structure strictly (every field
// present, no unknown field, right types) and then every database rule, so
// whatever decodes is a valid Database. Encoding is deterministic: records in
// uuid order, object keys sorted.
#pragma once

#include <string>
#include <string_view>

#include "pool/database.h"
#include "pool/error.h"

namespace poolha::pool {

inline constexpr const char* kDatabaseJsonFormat = "poolha-pool-database";
inline constexpr int kDatabaseJsonVersion = 1;

std::string encode_database(const Database& database);
Result<Database> decode_database(std::string_view text);

}  // namespace poolha::pool
