#include "chaos/packet_filters.h"

#include <fmt/format.h>

#include <vector>

#include "common/tool_runner.h"

namespace poolha::chaos {
namespace {

constexpr const char* kDropFromTable = "poolha_chaos_drop_from";
constexpr const char* kLossTable = "poolha_chaos_loss";

void nft_in(const std::string& network_namespace, const std::string& commands) {
  poolha::run_tool_checked({"ip", "netns", "exec", network_namespace, "nft", commands});
}

bool table_exists(const std::string& network_namespace, const char* table) {
  return poolha::tool_succeeds(
      {"ip", "netns", "exec", network_namespace, "nft", "list", "table", "inet", table});
}

void delete_table(const std::string& network_namespace, const char* table) {
  if (table_exists(network_namespace, table)) {
    nft_in(network_namespace, fmt::format("delete table inet {}", table));
  }
}

// One nft run is one transaction: the table is complete or absent.
std::string table_with_chains(const char* table, bool output) {
  std::string text = fmt::format(
      "add table inet {0}\n"
      "add chain inet {0} input {{ type filter hook input priority -10 ; policy accept ; }}\n",
      table);
  if (output) {
    text += fmt::format(
        "add chain inet {0} output {{ type filter hook output priority -10 ; policy accept ; }}\n",
        table);
  }
  return text;
}

}  // namespace

void drop_packets_from(const std::string& network_namespace, const std::string& peer_address) {
  delete_table(network_namespace, kDropFromTable);
  nft_in(network_namespace, table_with_chains(kDropFromTable, false) +
                                fmt::format("add rule inet {} input ip saddr {} drop\n",
                                            kDropFromTable, peer_address));
}

void stop_dropping_packets_from(const std::string& network_namespace) {
  delete_table(network_namespace, kDropFromTable);
}

void add_packet_loss(const std::string& network_namespace, const std::string& interface,
                     int percent) {
  delete_table(network_namespace, kLossTable);
  nft_in(
      network_namespace,
      table_with_chains(kLossTable, true) +
          fmt::format("add rule inet {0} input iifname \"{1}\" numgen random mod 100 < {2} drop\n"
                      "add rule inet {0} output oifname \"{1}\" numgen random mod 100 < {2} "
                      "drop\n",
                      kLossTable, interface, percent));
}

void remove_packet_loss(const std::string& network_namespace) {
  delete_table(network_namespace, kLossTable);
}

}  // namespace poolha::chaos
