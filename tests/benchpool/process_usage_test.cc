// Reading CPU time and RSS from /proc (benchpool/process_usage.h).
#include "benchpool/process_usage.h"

#include <unistd.h>

#include <chrono>
#include <stdexcept>

#include <gtest/gtest.h>

namespace poolha::benchpool {
namespace {

TEST(CpuTicksFromStat, AddsUserAndSystemTime) {
  const std::string stat =
      "1234 (poolha) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 5 0 1000 1000000 500";
  EXPECT_EQ(cpu_ticks_from_stat(stat), 325u);
}

TEST(CpuTicksFromStat, CountsFieldsAfterTheLastParenthesis) {
  // A command name may hold spaces and parentheses itself.
  const std::string stat = "77 (a) b (c d) R 1 77 77 0 -1 0 0 0 0 0 10 20 0 0 20 0 1 0 5 0 0";
  EXPECT_EQ(cpu_ticks_from_stat(stat), 30u);
}

TEST(CpuTicksFromStat, RefusesMalformedLines) {
  EXPECT_FALSE(cpu_ticks_from_stat("no parenthesis here"));
  EXPECT_FALSE(cpu_ticks_from_stat("1 (x) S 1 2 3"));
  EXPECT_FALSE(cpu_ticks_from_stat("1 (x) S 1 2 3 4 5 6 7 8 9 10 abc def"));
}

TEST(RssFromStatus, ReadsVmRssInKib) {
  const std::string status =
      "Name:\tpoolha\nVmPeak:\t  20000 kB\nVmRSS:\t   12345 kB\nThreads:\t4\n";
  EXPECT_EQ(rss_kib_from_status(status), 12345u);
}

TEST(RssFromStatus, IsAbsentForKernelThreadsAndMalformedValues) {
  EXPECT_FALSE(rss_kib_from_status("Name:\tkthreadd\nThreads:\t1\n"));
  EXPECT_FALSE(rss_kib_from_status("VmRSS:\t12 MB\n"));
}

TEST(SampleProcesses, MeasuresThisProcess) {
  const std::vector<ProcessUsage> usage = sample_processes(
      {::getpid()}, std::chrono::milliseconds(300), std::chrono::milliseconds(100));
  ASSERT_EQ(usage.size(), 1u);
  EXPECT_EQ(usage[0].pid, ::getpid());
  EXPECT_FALSE(usage[0].exited);
  EXPECT_GE(usage[0].rss_samples, 2u);
  EXPECT_GT(usage[0].rss_max_mib, 0);
  EXPECT_LE(usage[0].rss_mean_mib, usage[0].rss_max_mib);
  EXPECT_GE(usage[0].cpu_percent, 0);
}

TEST(SampleProcesses, RefusesAProcessThatDoesNotExist) {
  // PIDs never exceed the kernel's limit (at most 2^22).
  EXPECT_THROW(sample_processes({(1 << 22) + 1}, std::chrono::milliseconds(10),
                                std::chrono::milliseconds(10)),
               std::runtime_error);
}

TEST(ProcessArguments, ReadsTheCommandLine) {
  const std::vector<std::string> arguments = process_arguments(::getpid());
  ASSERT_FALSE(arguments.empty());
  EXPECT_NE(arguments[0].find("poolha_benchpool_tests"), std::string::npos);
  EXPECT_TRUE(process_arguments((1 << 22) + 1).empty());
}

}  // namespace
}  // namespace poolha::benchpool
