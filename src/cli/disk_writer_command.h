// `poolha disk-writer` (the VM of a chaos run: appends records to its disk
// and acknowledges each durable one in a local log) and `poolha disk-oracle`
// (proves from the disks and the ack logs that no VM ran twice at once and no
// acknowledged write was lost), wired to src/oracle.
#pragma once

#include <CLI/CLI.hpp>

namespace poolha::cli {

// Registers both subcommands; their exit status lands in `exit_code`.
void add_disk_writer_commands(CLI::App& app, int& exit_code);

}  // namespace poolha::cli
