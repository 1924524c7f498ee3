// The machine description and error texts of the results file
// (benchpool/machine_info.h, benchpool/run_errors.h).
#include "benchpool/machine_info.h"

#include <regex>

#include <gtest/gtest.h>

#include "benchpool/run_errors.h"

namespace poolha::benchpool {
namespace {

TEST(CpuModelFromCpuinfo, ReadsTheFirstModelName) {
  const std::string cpuinfo =
      "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Example CPU @ 2.00GHz  \n\n"
      "processor\t: 1\nmodel name\t: Other\n";
  EXPECT_EQ(cpu_model_from_cpuinfo(cpuinfo), "Example CPU @ 2.00GHz");
  EXPECT_EQ(cpu_model_from_cpuinfo("processor\t: 0\n"), "");
}

TEST(ReadMachineInfo, DescribesThisMachine) {
  const MachineInfo info = read_machine_info();
  EXPECT_FALSE(info.cpu_model.empty());
  EXPECT_GE(info.cores, 1u);
  EXPECT_EQ(info.kernel.rfind("Linux ", 0), 0u) << info.kernel;
}

TEST(UtcNowText, IsDateHoursMinutesUtc) {
  EXPECT_TRUE(std::regex_match(utc_now_text(), std::regex(R"(\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC)")));
}

TEST(OneLineError, KeepsTheFirstLineWithoutTheWorkDirectory) {
  EXPECT_EQ(one_line_error("host-2 daemon exited; end of /tmp/pool-x/host-2/daemon.log:\nline\n",
                           "/tmp/pool-x"),
            "host-2 daemon exited; end of WORK/host-2/daemon.log");
  EXPECT_EQ(one_line_error(std::string(400, 'a'), "").size(), 303u);
}

}  // namespace
}  // namespace poolha::benchpool
