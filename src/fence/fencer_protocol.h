// The line protocol between the daemon and `poolha fencer` over a Unix
// stream socket. Every request is one line and gets exactly one reply line:
//
//   STATUS            -> OK disarmed | OK armed <ms> pid <pid>
//   ARM <ms>          -> OK            (starts or restarts the countdown)
//   KICK              -> OK
//   DISARM            -> OK
//   FENCE <reason>    -> FENCED <what was done>  (the daemon is normally
//                                                 killed before it reads it)
//
// Any request may instead be answered with ERR <explanation>.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>

#include "common/time.h"

namespace poolha::fence {

// Longest line either side accepts, newline excluded.
inline constexpr std::size_t kMaxProtocolLine = 4096;
inline constexpr Duration kMaxArmTimeout = std::chrono::hours(1);

struct FencerRequest {
  enum class Kind { kStatus, kArm, kKick, kDisarm, kFence };
  Kind kind = Kind::kStatus;
  Duration timeout{};  // kArm: whole milliseconds, 1 ms .. kMaxArmTimeout
  std::string reason;  // kFence: not empty
};

struct FencerReply {
  enum class Kind { kOk, kError, kFenced };
  Kind kind = Kind::kOk;
  std::string text;
};

// `line` excludes the newline. The string alternative says what is wrong.
std::variant<FencerRequest, std::string> parse_request(std::string_view line);
std::variant<FencerReply, std::string> parse_reply(std::string_view line);

// One line with its newline. Line breaks inside texts become spaces and
// texts are cut to fit kMaxProtocolLine, so a line always parses back.
std::string format_request(const FencerRequest& request);
std::string format_reply(const FencerReply& reply);

}  // namespace poolha::fence
