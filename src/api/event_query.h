// What an event.from call asks for: its subscriptions and its token.
//
// Subscriptions are xapi's: "*" for everything, a class name ("vm",
// "host", ...; any case) or "class/ref" for one object. A name that is no
// class matches nothing, as in xapi.
//
// A token is "<epoch>.<id>": the log it came from and the last event id it
// covers. Clients treat it as opaque and pass back what they were given, or
// "" to start from the current state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace poolha::api {

class Subscriptions {
 public:
  explicit Subscriptions(const std::vector<std::string>& classes);

  bool matches_class(std::string_view class_name) const;
  bool matches(std::string_view class_name, std::string_view ref) const;

 private:
  struct Entry {
    std::string class_name;  // lower case; empty for "*"
    std::optional<std::string> ref;
  };
  std::vector<Entry> entries_;
};

struct EventToken {
  std::string epoch;
  std::uint64_t last_id = 0;
};

std::string encode_event_token(const EventToken& token);
// nullopt for text that no log could have produced.
std::optional<EventToken> decode_event_token(std::string_view text);

}  // namespace poolha::api
