// Checks of one record on its own (ranges, formats, consistency between its
// fields). Checks between records (a VM's host exists, ...) are the
// Database's. Both decoding and applying changes go through these, so no
// out-of-range value enters the database by either path.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "pool/error.h"
#include "pool/host.h"
#include "pool/pool_record.h"
#include "pool/sr.h"
#include "pool/vm.h"

namespace poolha::pool {

inline constexpr std::size_t kMaxUuidLength = 128;
// 4 PiB: far above any host, low enough that sums over a host's VMs stay
// exact in 64 bits for any realistic count.
inline constexpr std::int64_t kMaxMemoryBytes = std::int64_t{1} << 52;
inline constexpr std::int64_t kMaxStartDelaySeconds = 86400;

// 1..128 characters from [A-Za-z0-9._:-]; RFC 4122 uuids and test names qualify.
bool is_valid_uuid(std::string_view text);
// Well-formed UTF-8 (no overlong forms, surrogates or code points past
// U+10FFFF): every string must be, or it could not be written as JSON.
bool is_valid_utf8(std::string_view text);

// A decimal number of seconds in 1..kMaxHaTimeoutSeconds, as given in
// ha-config:timeout.
Result<std::int64_t> parse_ha_timeout(std::string_view text);

Status check_fields(const Host& host);
Status check_fields(const Sr& sr);
Status check_fields(const Vm& vm);
Status check_fields(const Pool& pool);

}  // namespace poolha::pool
