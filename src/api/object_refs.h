// Object references on the API. A reference is "OpaqueRef:" followed by the
// object's uuid, so it is the same on every host and survives a change of
// master; clients must still treat it as opaque. "OpaqueRef:NULL" stands for
// no object, as in xapi.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace poolha::api {

inline constexpr std::string_view kRefPrefix = "OpaqueRef:";
inline constexpr std::string_view kNullRef = "OpaqueRef:NULL";

// The reference of the object with this uuid; the null reference for "".
std::string ref_of(std::string_view uuid);
// The uuid a reference names; nullopt for the null reference and for text
// that is not a reference at all.
std::optional<std::string> uuid_of_ref(std::string_view ref);

}  // namespace poolha::api
