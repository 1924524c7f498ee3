// One Change as JSON text: the payload of a delta record.
//   {"op":"upsert_host","host":{...}}   {"op":"remove_host","uuid":"..."}
//   (likewise upsert_sr/remove_sr with "sr", upsert_vm/remove_vm with "vm")
//   {"op":"set_pool","fields":{...only the fields being set...}}
// Decoding checks structure and types only; the Database checks the rest
// when the change is applied.
#pragma once

#include <string>
#include <string_view>

#include "pool/change.h"
#include "pool/error.h"

namespace poolha::pool {

std::string encode_change(const Change& change);
Result<Change> decode_change(std::string_view text);

}  // namespace poolha::pool
