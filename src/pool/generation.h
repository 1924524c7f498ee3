// The version number of the persisted pool database. Every record written to
// the metadata log carries a generation one higher than anything written
// before it; when several copies of the database exist (the log, a slave's
// local copy), the highest generation is the newest, as in xapi.
#pragma once

#include <cstdint>

namespace poolha::pool {

using Generation = std::uint64_t;  // 0: nothing persisted yet

}  // namespace poolha::pool
