// The failover messages hosts send each other (src/failover/messages.h), as
// the JSON body of an HTTP POST to the peer's /internal/failover, signed with
// an HMAC-SHA256 of the body under the pool secret. Decoding is strict: a
// message with a missing, extra or mistyped field is refused whole, since a
// half-understood command must never run.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "failover/messages.h"

namespace poolha::daemon {

using PeerMessage = std::variant<failover::VmCommand, failover::VmCommandResult,
                                 failover::HostReport, failover::ReportAck>;

// The HTTP path and the header that carries the signature.
inline constexpr std::string_view kPeerMessagePath = "/internal/failover";
inline constexpr std::string_view kPeerMacHeader = "X-Poolha-Mac";

std::string encode_peer_message(const PeerMessage& message);
// On failure returns nullopt and says why in `error`.
std::optional<PeerMessage> decode_peer_message(std::string_view body, std::string* error);

// Lower-case hex of HMAC-SHA256(secret, body).
std::string sign_peer_message(std::span<const std::uint8_t> secret, std::string_view body);
// Constant-time comparison against a received signature.
bool verify_peer_message(std::span<const std::uint8_t> secret, std::string_view body,
                         std::string_view signature);

}  // namespace poolha::daemon
