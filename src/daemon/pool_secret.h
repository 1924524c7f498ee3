// The pool secret every host shares: it keys the heartbeat HMACs, the
// host-to-host message signatures and the slaves' login to the master. The
// file holds it as hex digits on one line (at least 32 digits, 16 bytes),
// readable by root only; `poolha demo` and the install notes make one with
// `od -An -tx1 -N32 /dev/urandom | tr -d ' \n'`.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace poolha::daemon {

// Throws ConfigError (daemon/config.h) naming the file and what is wrong.
std::vector<std::uint8_t> read_pool_secret(const std::filesystem::path& file);

// Lower-case hex of the secret, as the API's slave login expects it.
std::string pool_secret_text(const std::vector<std::uint8_t>& secret);

}  // namespace poolha::daemon
