// Nearest-rank percentiles and summaries (benchpool/statistics.h).
#include "benchpool/statistics.h"

#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>

namespace poolha::benchpool {
namespace {

std::vector<double> one_to(int n) {
  std::vector<double> values;
  for (int i = n; i >= 1; --i) values.push_back(i);  // deliberately unsorted
  return values;
}

TEST(Percentile, IsTheSmallestSampleWithPPercentAtOrBelowIt) {
  EXPECT_EQ(percentile(one_to(10), 50), 5);
  EXPECT_EQ(percentile(one_to(10), 51), 6);
  EXPECT_EQ(percentile(one_to(100), 99), 99);
  EXPECT_EQ(percentile(one_to(100), 100), 100);
  EXPECT_EQ(percentile(one_to(200), 99), 198);
  EXPECT_EQ(percentile({7.5}, 50), 7.5);
}

TEST(Percentile, P99OfFewerThanAHundredSamplesIsTheMaximum) {
  for (const int n : {1, 2, 20, 99}) EXPECT_EQ(percentile(one_to(n), 99), n) << n;
}

TEST(Percentile, IsAlwaysAMeasuredSample) {
  const std::vector<double> samples = {1.25, 9.5};
  EXPECT_EQ(percentile(samples, 50), 1.25);
  EXPECT_EQ(percentile(samples, 99), 9.5);
}

TEST(Percentile, RefusesNoSamplesAndPOutOfRange) {
  EXPECT_THROW(percentile({}, 50), std::invalid_argument);
  EXPECT_THROW(percentile({1}, 0), std::invalid_argument);
  EXPECT_THROW(percentile({1}, 100.5), std::invalid_argument);
}

TEST(Summarize, GivesCountExtremesMeanAndPercentiles) {
  const Summary s = summarize({4, 1, 3, 2});
  EXPECT_EQ(s.count, 4u);
  EXPECT_EQ(s.min, 1);
  EXPECT_EQ(s.max, 4);
  EXPECT_DOUBLE_EQ(s.mean, 2.5);
  EXPECT_EQ(s.p50, 2);
  EXPECT_EQ(s.p99, 4);
  EXPECT_TRUE(s.p99_is_max);
}

TEST(Summarize, SaysWhenP99IsAPercentileOfItsOwn) {
  const Summary s = summarize(one_to(100));
  EXPECT_FALSE(s.p99_is_max);
  EXPECT_EQ(s.p99, 99);
  EXPECT_EQ(s.max, 100);
}

TEST(Summarize, OfNothingIsEmpty) {
  const Summary s = summarize({});
  EXPECT_EQ(s.count, 0u);
  EXPECT_EQ(s.max, 0);
}

}  // namespace
}  // namespace poolha::benchpool
