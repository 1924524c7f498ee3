// decode_heartbeat on arbitrary bytes: never crash, and whatever decodes
// re-encodes to the same bytes. Each input is tried as is and re-signed.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "fuzz_support.h"
#include "wire/heartbeat.h"

namespace {

void check(std::span<const std::uint8_t> bytes) {
  auto d = poolha::wire::decode_heartbeat(bytes, poolha::fuzz::kSecret);
  if (!d.ok()) return;
  const std::vector<std::uint8_t> again =
      poolha::wire::encode_heartbeat(d.value(), poolha::fuzz::kSecret);
  if (again.size() != bytes.size()) std::abort();
  poolha::fuzz::require_same_prefix(again, bytes, bytes.size());
  if (again.size() > poolha::wire::max_heartbeat_size(d.value().host_count)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> in(data, size);
  check(in);
  std::vector<std::uint8_t> signed_copy(in.begin(), in.end());
  if (poolha::fuzz::resign(signed_copy)) check(signed_copy);
  return 0;
}
