#include "pool/local_copy.h"

#include <fmt/format.h>
#include <variant>

#include "pool/database_json.h"
#include "pool/log_record.h"

namespace poolha::pool {

std::vector<std::uint8_t> encode_local_copy(const Snapshot& snapshot) {
  return encode_record(RecordKind::kSnapshot, snapshot.generation, snapshot.generation,
                       encode_database(snapshot.database), /*block_size=*/1);
}

Result<Snapshot> decode_local_copy(std::span<const std::uint8_t> image) {
  const auto read = read_record(image, /*block_size=*/1);
  if (const auto* fault = std::get_if<RecordFault>(&read)) {
    return Error{ErrorCode::kMalformed, fmt::format("local copy: {}", to_string(*fault))};
  }
  const auto& record = std::get<RecordView>(read);
  if (record.kind != RecordKind::kSnapshot) {
    return Error{ErrorCode::kMalformed, "local copy: not a snapshot record"};
  }
  if (record.stored_size != image.size()) {
    return Error{ErrorCode::kMalformed, fmt::format("local copy: {} bytes after the record",
                                                    image.size() - record.stored_size)};
  }
  Result<Database> database = decode_database(record.payload);
  if (!database) {
    return Error{ErrorCode::kMalformed, fmt::format("local copy: {}", database.error().message())};
  }
  return Snapshot{std::move(database).value(), record.generation};
}

}  // namespace poolha::pool
