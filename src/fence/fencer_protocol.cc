#include "fence/fencer_protocol.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace poolha::fence {
namespace {

// Splits "WORD rest" at the first space; rest is empty without one.
std::pair<std::string_view, std::string_view> split_word(std::string_view line) {
  const std::size_t space = line.find(' ');
  if (space == std::string_view::npos) return {line, {}};
  return {line.substr(0, space), line.substr(space + 1)};
}

std::string single_line(std::string text, std::size_t room) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  std::replace(text.begin(), text.end(), '\r', ' ');
  if (text.size() > room) text.resize(room);
  return text;
}

std::string with_text(std::string_view word, const std::string& text) {
  if (text.empty()) return std::string(word) + "\n";
  const std::size_t room = kMaxProtocolLine - word.size() - 1;
  return fmt::format("{} {}\n", word, single_line(text, room));
}

}  // namespace

std::variant<FencerRequest, std::string> parse_request(std::string_view line) {
  if (line.size() > kMaxProtocolLine) return std::string("line too long");
  const auto [word, rest] = split_word(line);
  FencerRequest request;
  if (word == "STATUS" || word == "KICK" || word == "DISARM") {
    if (!rest.empty()) return fmt::format("{} takes no argument", word);
    request.kind = word == "STATUS" ? FencerRequest::Kind::kStatus
                   : word == "KICK" ? FencerRequest::Kind::kKick
                                    : FencerRequest::Kind::kDisarm;
    return request;
  }
  if (word == "ARM") {
    long long ms = 0;
    const auto [end, error] = std::from_chars(rest.data(), rest.data() + rest.size(), ms);
    const long long max_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(kMaxArmTimeout).count();
    if (rest.empty() || error != std::errc() || end != rest.data() + rest.size() || ms < 1 ||
        ms > max_ms) {
      return fmt::format("ARM needs a timeout in milliseconds from 1 to {}, got '{}'", max_ms,
                         rest);
    }
    request.kind = FencerRequest::Kind::kArm;
    request.timeout = std::chrono::milliseconds(ms);
    return request;
  }
  if (word == "FENCE") {
    if (rest.empty()) return std::string("FENCE needs a reason");
    request.kind = FencerRequest::Kind::kFence;
    request.reason = std::string(rest);
    return request;
  }
  return fmt::format("unknown request '{}'", word);
}

std::variant<FencerReply, std::string> parse_reply(std::string_view line) {
  if (line.size() > kMaxProtocolLine) return std::string("reply line too long");
  const auto [word, rest] = split_word(line);
  FencerReply reply;
  if (word == "OK") {
    reply.kind = FencerReply::Kind::kOk;
  } else if (word == "ERR") {
    reply.kind = FencerReply::Kind::kError;
  } else if (word == "FENCED") {
    reply.kind = FencerReply::Kind::kFenced;
  } else {
    return fmt::format("not a fencer reply: '{}'", line.substr(0, 80));
  }
  reply.text = std::string(rest);
  return reply;
}

std::string format_request(const FencerRequest& request) {
  switch (request.kind) {
    case FencerRequest::Kind::kStatus:
      return "STATUS\n";
    case FencerRequest::Kind::kArm:
      return fmt::format(
          "ARM {}\n",
          std::chrono::duration_cast<std::chrono::milliseconds>(request.timeout).count());
    case FencerRequest::Kind::kKick:
      return "KICK\n";
    case FencerRequest::Kind::kDisarm:
      return "DISARM\n";
    case FencerRequest::Kind::kFence:
      return with_text("FENCE", request.reason.empty() ? "no reason given" : request.reason);
  }
  return "STATUS\n";
}

std::string format_reply(const FencerReply& reply) {
  switch (reply.kind) {
    case FencerReply::Kind::kOk:
      return with_text("OK", reply.text);
    case FencerReply::Kind::kError:
      return with_text("ERR", reply.text);
    case FencerReply::Kind::kFenced:
      return with_text("FENCED", reply.text);
  }
  return "ERR unknown reply\n";
}

}  // namespace poolha::fence
