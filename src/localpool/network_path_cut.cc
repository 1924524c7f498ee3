#include "localpool/network_path_cut.h"

#include <vector>

#include "common/tool_runner.h"

namespace poolha::localpool {
namespace {

std::vector<std::string> nft_in(const NetworkPath& path, const std::string& commands) {
  return {"ip", "netns", "exec", path.network_namespace, "nft", commands};
}

}  // namespace

std::string path_cut_unavailable_reason() {
  if (!tool_succeeds({"nft", "--version"})) return "cutting a network path needs the nft tool";
  return "";
}

void cut_network_path(const NetworkPath& path) {
  if (network_path_is_cut(path)) return;
  const std::string table = "inet " + path.nft_table;
  // One nft run is one transaction: the path is cut completely or not at all.
  run_tool_checked(nft_in(
      path, "add table " + table + "\n" + "add chain " + table +
                " input { type filter hook input priority 0 ; policy accept ; }\n" + "add chain " +
                table + " output { type filter hook output priority 0 ; policy accept ; }\n" +
                "add rule " + table + " input iifname \"" + path.interface + "\" drop\n" +
                "add rule " + table + " output oifname \"" + path.interface + "\" drop\n"));
}

void restore_network_path(const NetworkPath& path) {
  if (!network_path_is_cut(path)) return;
  run_tool_checked(nft_in(path, "delete table inet " + path.nft_table));
}

bool network_path_is_cut(const NetworkPath& path) {
  return tool_succeeds(nft_in(path, "list table inet " + path.nft_table));
}

}  // namespace poolha::localpool
