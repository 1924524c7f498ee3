#include "test_support.h"

#include <signal.h>

#include <cerrno>
#include <fstream>

namespace poolha::localpool::testing {

std::filesystem::path real_poolha() {
#ifdef POOLHA_BINARY
  return POOLHA_BINARY;
#else
  return {};
#endif
}

std::filesystem::path write_fake_poolha(const std::filesystem::path& dir,
                                        const std::string& daemon_command) {
  const std::filesystem::path script = dir / "poolha";
  std::ofstream out(script);
  out << "#!/bin/sh\n"
      << "case \"$1\" in\n"
      << "  fencer) shift; exec '" << real_poolha().string() << "' fencer \"$@\" ;;\n"
      << "  daemon) " << daemon_command << " ;;\n"
      << "esac\n"
      << "echo \"fake poolha: unexpected $1\" >&2\n"
      << "exit 3\n";
  out.close();
  std::filesystem::permissions(script, std::filesystem::perms::owner_all);
  return script;
}

bool process_exists(pid_t pid) {
  return ::kill(pid, 0) == 0 || errno == EPERM;
}

}  // namespace poolha::localpool::testing
