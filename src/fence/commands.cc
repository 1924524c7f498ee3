#include "fence/commands.h"

#include <spdlog/spdlog.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <fstream>
#include <ostream>

#include "fence/fence_record.h"

namespace poolha::fence {
namespace {

void protect_from_memory_pressure() {
  if (::mlockall(MCL_CURRENT | MCL_FUTURE) != 0) {
    spdlog::warn("fencer: mlockall failed ({}); under memory pressure it may be paged out",
                 std::strerror(errno));
  }
  std::ofstream score("/proc/self/oom_score_adj");
  score << "-1000" << std::flush;
  if (!score) {
    spdlog::warn("fencer: cannot set /proc/self/oom_score_adj; the OOM killer may pick it");
  }
}

}  // namespace

int run_fencer(const FencerOptions& options) {
  try {
    ::umask(077);
    protect_from_memory_pressure();
    ProcessFencer fencer(options);
    fencer.stop_on_termination_signals();
    fencer.run();
    return 0;
  } catch (const std::exception& error) {
    spdlog::error("fencer: cannot run: {}", error.what());
    return 1;
  }
}

int show_fence_reason(const std::filesystem::path& state_dir, bool as_json, std::ostream& out,
                      std::ostream& err) {
  try {
    const std::optional<FenceRecord> record = read_fence_record(state_dir);
    if (!record) {
      err << "no fence recorded in " << state_dir.string() << "\n";
      return 1;
    }
    out << (as_json ? encode_fence_record(*record) : render_fence_record(*record));
    return 0;
  } catch (const std::exception& error) {
    err << "cannot show the fence reason: " << error.what() << "\n";
    return 2;
  }
}

}  // namespace poolha::fence
