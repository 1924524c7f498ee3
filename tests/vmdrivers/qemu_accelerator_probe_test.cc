// The accelerator probe tells a kernel that boots from one that does not.
// It is run with TCG, which works everywhere QEMU does, so the result is
// known; KVM goes through the same code with another -accel value.
#include "vm/qemu/accelerator_probe.h"

#include <gtest/gtest.h>

#include <fstream>

#include "process_test_support.h"
#include "qemu_test_support.h"

namespace poolha::vm {
namespace {

using testing::MicroVmGuest;
using testing::run_until;
using namespace std::chrono_literals;

struct ProbeResult {
  bool works = false;
  std::string detail;
};

class AcceleratorProbeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const MicroVmGuest& guest = MicroVmGuest::get();
    if (!guest.skip_reason().empty()) GTEST_SKIP() << guest.skip_reason();
  }

  ProbeResult probe(const std::filesystem::path& kernel) {
    AcceleratorProbe probe(io_, {"qemu-system-x86_64", kernel, dir_.path() / "probe.log", 120s});
    std::optional<ProbeResult> result;
    probe.run(Accelerator::kTcg, [&](bool works, const std::string& detail) {
      result = ProbeResult{works, detail};
    });
    EXPECT_FALSE(result.has_value()) << "done must not run inside run()";
    EXPECT_TRUE(run_until(
        io_, [&] { return result.has_value(); }, 150s));
    return result.value_or(ProbeResult{false, "no answer"});
  }

  testing::ScratchDir dir_;
  asio::io_context io_;
};

TEST_F(AcceleratorProbeTest, AKernelThatBootsToItsRootMountPasses) {
  const ProbeResult result = probe(MicroVmGuest::get().kernel());
  EXPECT_TRUE(result.works) << result.detail;
}

TEST_F(AcceleratorProbeTest, SomethingThatIsNotAKernelFailsWithQemusReason) {
  const auto fake = dir_.path() / "not-a-kernel";
  std::ofstream(fake) << "this is not a kernel image\n";
  const ProbeResult result = probe(fake);
  EXPECT_FALSE(result.works);
  EXPECT_NE(result.detail.find("QEMU ended"), std::string::npos) << result.detail;
}

}  // namespace
}  // namespace poolha::vm
