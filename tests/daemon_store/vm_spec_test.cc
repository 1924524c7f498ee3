// parse_vm_spec: the --vm argument of pool-create.
#include "daemon/store/vm_spec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace poolha::daemon {
namespace {

using ::testing::HasSubstr;

std::string error_of(const std::string& spec) {
  try {
    parse_vm_spec(spec);
  } catch (const VmSpecError& error) {
    return error.what();
  }
  return "accepted";
}

TEST(VmSpec, ParsesEveryKey) {
  const NewVm vm = parse_vm_spec("name=web,memory-mib=256,priority=restart,order=-2");
  EXPECT_EQ(vm.name, "web");
  EXPECT_EQ(vm.memory_mib, 256u);
  EXPECT_EQ(vm.priority, pool::RestartPriority::kRestart);
  EXPECT_EQ(vm.order, -2);
  EXPECT_EQ(parse_vm_spec("memory-mib=1,name=a,priority=best-effort").priority,
            pool::RestartPriority::kBestEffort);
}

TEST(VmSpec, DefaultsToUnprotectedAtOrderZero) {
  const NewVm vm = parse_vm_spec("name=db,memory-mib=1024");
  EXPECT_EQ(vm.priority, pool::RestartPriority::kUnprotected);
  EXPECT_EQ(vm.order, 0);
}

TEST(VmSpec, RefusesBadSpecsSayingWhy) {
  EXPECT_THAT(error_of("memory-mib=256"), HasSubstr("name is required"));
  EXPECT_THAT(error_of("name=web"), HasSubstr("memory-mib is required"));
  EXPECT_THAT(error_of("name=web,memory-mib=lots"), HasSubstr("memory-mib must be a whole number"));
  EXPECT_THAT(error_of("name=web,memory-mib=0"), HasSubstr("memory-mib is 0"));
  EXPECT_THAT(error_of("name=web,memory-mib=1,priority=high"), HasSubstr("priority must be"));
  EXPECT_THAT(error_of("name=web,memory-mib=1,colour=red"), HasSubstr("unknown key 'colour'"));
  EXPECT_THAT(error_of("name=web,name=db,memory-mib=1"), HasSubstr("name is given twice"));
  EXPECT_THAT(error_of("name=web,memory-mib"), HasSubstr("is not key=value"));
  EXPECT_THAT(error_of("name=web,memory-mib=1,order=1.5"), HasSubstr("order must be"));
}

}  // namespace
}  // namespace poolha::daemon
