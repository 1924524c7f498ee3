// xe's usage text and the help command, answered without contacting a server.
#pragma once

#include <ostream>

#include "xe/command_table.h"
#include "xe/params.h"
#include "xe/printer.h"

namespace poolha::xe {

void print_usage(std::ostream& out);

// "xe help" lists the commands; "xe help <command> ..." describes each named
// command. Throws UnknownCommand for a name that is not a command.
void print_help(const CommandTable& table, const Params& params, Printer& out);

}  // namespace poolha::xe
