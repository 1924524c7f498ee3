// Invariant assertions that stay on in release builds: a broken invariant in an
// HA system must stop the process, not continue with corrupt state.
#pragma once

#include <cstdio>
#include <cstdlib>

namespace poolha::detail {
[[noreturn]] inline void check_failed(const char* expr, const char* file, int line,
                                      const char* msg) {
  std::fprintf(stderr, "poolha: invariant violated: %s (%s) at %s:%d\n", msg, expr, file, line);
  std::abort();
}
}  // namespace poolha::detail

#define POOLHA_CHECK(expr, msg) \
  ((expr) ? (void)0 : ::poolha::detail::check_failed(#expr, __FILE__, __LINE__, msg))
