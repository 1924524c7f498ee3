// The daemon configuration file (docs/daemon-config.md) of one host of a
// local pool. Every host's file lists the same [pool] part and differs only
// in [host] and in the name each VM writes into its log.
#pragma once

#include <cstddef>
#include <string>

#include "localpool/pool_plan.h"

namespace poolha::localpool {

// `password_hash` is the [api] password_hash value (api::PasswordHash).
std::string render_host_config(const PoolPlan& plan, std::size_t host,
                               const std::string& password_hash);

// A TOML basic string: quoted, with quotes, backslashes and control
// characters escaped.
std::string toml_string(const std::string& text);

}  // namespace poolha::localpool
