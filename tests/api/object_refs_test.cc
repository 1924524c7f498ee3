// References: "OpaqueRef:" and the object's uuid; the null reference names nothing.
#include <gtest/gtest.h>

#include "api/object_refs.h"

namespace poolha::api {
namespace {

TEST(ObjectRefs, RoundTripThroughTheUuid) {
  EXPECT_EQ(ref_of("1234-abcd"), "OpaqueRef:1234-abcd");
  EXPECT_EQ(uuid_of_ref("OpaqueRef:1234-abcd"), "1234-abcd");
}

TEST(ObjectRefs, NullAndForeignTextNameNothing) {
  EXPECT_EQ(ref_of(""), "OpaqueRef:NULL");
  EXPECT_EQ(uuid_of_ref("OpaqueRef:NULL"), std::nullopt);
  EXPECT_EQ(uuid_of_ref("OpaqueRef:"), std::nullopt);
  EXPECT_EQ(uuid_of_ref("1234-abcd"), std::nullopt);
}

}  // namespace
}  // namespace poolha::api
