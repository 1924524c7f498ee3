// Durations and percentages as scenario files write them.
#include <gtest/gtest.h>

#include "sim/duration_text.h"

namespace poolha::sim {
namespace {

TEST(DurationText, ParsesEveryUnit) {
  EXPECT_EQ(parse_duration("250us"), Duration(250));
  EXPECT_EQ(parse_duration("500ms"), Duration(500'000));
  EXPECT_EQ(parse_duration("30s"), Duration(30'000'000));
  EXPECT_EQ(parse_duration("1.5s"), Duration(1'500'000));
  EXPECT_EQ(parse_duration("0.000001s"), Duration(1));
  EXPECT_EQ(parse_duration("2m"), Duration(120'000'000));
  EXPECT_EQ(parse_duration("1h"), Duration(3'600'000'000));
  EXPECT_EQ(parse_duration(".5s"), Duration(500'000));
}

TEST(DurationText, RejectsJunk) {
  for (const char* bad : {"", "s", "30", "30 s", "ten s", "1.2.3s", "1.0000001s", "-5s", "+5s",
                          "5sec", "5S", "99999999999999999999s"})
    EXPECT_FALSE(parse_duration(bad).has_value()) << bad;
}

TEST(DurationText, SignsOnlyWhenAllowed) {
  EXPECT_EQ(parse_duration("+3600s", true), Duration(3'600'000'000));
  EXPECT_EQ(parse_duration("-10s", true), Duration(-10'000'000));
  EXPECT_EQ(parse_duration("10s", true), Duration(10'000'000));
}

TEST(DurationText, FormatsTheShortestExactFormAndRoundTrips) {
  EXPECT_EQ(format_duration(Duration(0)), "0s");
  EXPECT_EQ(format_duration(Duration(30'000'000)), "30s");
  EXPECT_EQ(format_duration(Duration(1'500'000)), "1.5s");
  EXPECT_EQ(format_duration(Duration(500'000)), "500ms");
  EXPECT_EQ(format_duration(Duration(250)), "250us");
  EXPECT_EQ(format_duration(Duration(-10'000'000)), "-10s");
  for (std::int64_t us : {1ll, 999ll, 1000ll, 1'000'001ll, 123'456'789ll, 86'400'000'000ll})
    EXPECT_EQ(parse_duration(format_duration(Duration(us))), Duration(us)) << us;
}

TEST(DurationText, Percentages) {
  EXPECT_EQ(parse_percent_ppm("30%"), 300'000u);
  EXPECT_EQ(parse_percent_ppm("0.5%"), 5'000u);
  EXPECT_EQ(parse_percent_ppm("100%"), 1'000'000u);
  EXPECT_FALSE(parse_percent_ppm("101%").has_value());
  EXPECT_FALSE(parse_percent_ppm("30").has_value());
  EXPECT_FALSE(parse_percent_ppm("-1%").has_value());
  EXPECT_EQ(format_percent_ppm(300'000), "30%");
  EXPECT_EQ(format_percent_ppm(5'000), "0.5%");
}

TEST(DurationText, UnsignedNumbers) {
  EXPECT_EQ(parse_unsigned("42", 100), 42u);
  EXPECT_FALSE(parse_unsigned("101", 100).has_value());
  EXPECT_FALSE(parse_unsigned("4x", 100).has_value());
  EXPECT_FALSE(parse_unsigned("", 100).has_value());
  EXPECT_EQ(parse_unsigned("18446744073709551615", ~std::uint64_t{0}), ~std::uint64_t{0});
  EXPECT_FALSE(parse_unsigned("18446744073709551616", ~std::uint64_t{0}).has_value());
}

}  // namespace
}  // namespace poolha::sim
