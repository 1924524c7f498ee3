// A fresh directory under the temp directory for one test, removed
// afterwards: the shared test directory.
#pragma once

#include "../support/temp_dir.h"

namespace poolha::fence::testing {

using TempDir = daemon::test_support::TempDir;

}  // namespace poolha::fence::testing
