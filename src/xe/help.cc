#include "xe/help.h"

#include <string>

#include "xe/cli_error.h"
#include "xe/connection_options.h"

namespace poolha::xe {
namespace {

std::string joined(const std::vector<std::string>& items) {
  std::string text;
  for (const auto& item : items) text += (text.empty() ? "" : ", ") + item;
  return text;
}

RecordLines describe(const CommandSpec& spec) {
  std::vector<std::string> optional = spec.optional;
  if (!spec.extra_help.empty()) optional.push_back(spec.extra_help);
  if (spec.requires_force) optional.insert(optional.begin(), "--force (required)");
  return {{"command name", spec.name},
          {"reqd params", joined(spec.required)},
          {"optional params", joined(optional)},
          {"description", spec.description}};
}

}  // namespace

void print_usage(std::ostream& out) {
  out << "Usage:\n"
         "  xe <command> [ <parameter>=<value> ... ] [ --minimal ] [ --force ] [ --multiple ]\n"
         "    [ -s <server> ]          pool master's address (default 127.0.0.1)\n"
         "    [ -p <port> ]            API port (default "
      << kDefaultPort
      << ")\n"
         "    [ -u <username> -pw <password> | -pwf <password file> ]\n"
         "                             credentials; the password file holds the username on\n"
         "                             its first line and the password on its second\n"
         "    [ --debug ]              print every API call and answer on stderr\n"
         "Defaults are read from ~/.xe (key=value lines: server, port, username, password,\n"
         "passwordfile) and from XE_EXTRA_ARGS (key=value items separated by commas).\n"
         "\n"
         "To list the commands:          xe help\n"
         "To describe a command:         xe help <command>\n";
}

void print_help(const CommandTable& table, const Params& params, Printer& out) {
  std::vector<std::string> named;
  for (const auto& [key, value] : params.entries()) {
    if (!is_standard_param(key)) named.push_back(key);
  }
  if (!named.empty()) {
    std::vector<RecordLines> records;
    for (const auto& name : named) {
      const CommandSpec* spec = table.find(name);
      if (spec == nullptr) throw UnknownCommand(name);
      records.push_back(describe(*spec));
    }
    out.records(records);
    return;
  }
  std::vector<std::string> names;
  for (const CommandSpec* spec : table.all()) names.push_back(spec->name);
  out.values(names);
}

}  // namespace poolha::xe
