#include "api/event_query.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include <fmt/format.h>

namespace poolha::api {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

Subscriptions::Subscriptions(const std::vector<std::string>& classes) {
  for (const std::string& text : classes) {
    if (text == "*") {
      entries_.push_back(Entry{"", std::nullopt});
      continue;
    }
    const std::size_t slash = text.find('/');
    if (slash == std::string::npos) {
      entries_.push_back(Entry{lower(text), std::nullopt});
    } else {
      entries_.push_back(Entry{lower(text.substr(0, slash)), text.substr(slash + 1)});
    }
  }
}

bool Subscriptions::matches_class(std::string_view class_name) const {
  return std::any_of(entries_.begin(), entries_.end(), [&](const Entry& e) {
    return e.class_name.empty() || e.class_name == class_name;
  });
}

bool Subscriptions::matches(std::string_view class_name, std::string_view ref) const {
  return std::any_of(entries_.begin(), entries_.end(), [&](const Entry& e) {
    if (e.class_name.empty()) return true;
    return e.class_name == class_name && (!e.ref || *e.ref == ref);
  });
}

std::string encode_event_token(const EventToken& token) {
  // Zero-padded like xapi's tokens, so tokens of one log sort as text.
  return fmt::format("{}.{:020}", token.epoch, token.last_id);
}

std::optional<EventToken> decode_event_token(std::string_view text) {
  const std::size_t dot = text.find('.');
  if (dot == std::string_view::npos || dot == 0) return std::nullopt;
  const std::string_view digits = text.substr(dot + 1);
  std::uint64_t id = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) {
    return std::nullopt;
  }
  return EventToken{std::string(text.substr(0, dot)), id};
}

}  // namespace poolha::api
