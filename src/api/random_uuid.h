// Random RFC 4122 version 4 uuids from OpenSSL's generator: session
// references and message uuids must not be guessable.
#pragma once

#include <string>

namespace poolha::api {

// Throws std::runtime_error if the generator fails.
std::string random_uuid();

}  // namespace poolha::api
