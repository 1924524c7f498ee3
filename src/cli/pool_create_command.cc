#include "cli/pool_create_command.h"

#include <exception>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "daemon/config.h"
#include "daemon/store/pool_create.h"
#include "daemon/store/vm_spec.h"
#include "pool/power_state.h"
#include "pool/restart_priority.h"

namespace poolha::cli {

namespace {

struct PoolCreateArguments {
  std::filesystem::path config;
  std::vector<std::string> vms;
  bool force = false;
};

std::string mib(std::int64_t bytes) {
  return fmt::format("{} MiB", bytes >> 20);
}

void print_created(const daemon::CreatedPool& created, std::ostream& out) {
  const pool::Pool& record = created.database.pool();
  if (created.created_device_file) {
    out << fmt::format("created {} ({} bytes)\n", created.device, created.layout.device_size());
  }
  if (created.overwritten) out << fmt::format("overwrote {}\n", *created.overwritten);
  out << fmt::format("zeroed the statefile space: {} bytes at offset 0\n",
                     created.layout.statefile_reserved.size);
  out << fmt::format(
      "wrote pool {} ({}) at generation {} to the metadata area of {} "
      "({} bytes at offset {})\n",
      record.uuid, record.name_label, created.generation, created.device,
      created.layout.metadata_area.size, created.layout.metadata_area.base);
  out << fmt::format("  master: {}\n", record.master);
  out << fmt::format("  HA: off, timeout {} s\n", record.ha_timeout);
  for (const auto& [uuid, host] : created.database.hosts()) {
    out << fmt::format("  host {} {}: memory {}, overhead {}, address {}\n", uuid, host.name_label,
                       mib(host.memory_total), mib(host.memory_overhead), host.address);
  }
  for (const auto& [uuid, sr] : created.database.srs()) {
    out << fmt::format("  SR {} {}: type {}, heartbeat SR\n", uuid, sr.name_label, sr.type);
  }
  for (const auto& [uuid, vm] : created.database.vms()) {
    const std::string_view priority = pool::to_string(vm.ha_restart_priority);
    out << fmt::format("  VM {} {}: {}, memory {}, priority {}, order {}\n", uuid, vm.name_label,
                       pool::to_string(vm.power_state), mib(vm.memory_static_max),
                       priority.empty() ? "none" : priority, vm.order);
  }
}

int run_pool_create(const PoolCreateArguments& arguments) {
  try {
    const daemon::DaemonConfig config = daemon::load_config(arguments.config);
    daemon::PoolCreateOptions options;
    options.force = arguments.force;
    for (const std::string& spec : arguments.vms) {
      options.vms.push_back(daemon::parse_vm_spec(spec));
    }
    print_created(daemon::create_pool(config, options), std::cout);
    return 0;
  } catch (const std::exception& error) {
    std::cerr << "poolha pool-create: " << error.what() << "\n";
    return 1;
  }
}

}  // namespace

void add_pool_create_command(CLI::App& app, int& exit_code) {
  auto arguments = std::make_shared<PoolCreateArguments>();
  CLI::App* command = app.add_subcommand(
      "pool-create",
      "write the first database of a new pool to the heartbeat SR of a daemon configuration "
      "(this host becomes its master)");
  command->add_option("--config", arguments->config, "the daemon configuration file")->required();
  command->add_option("--vm", arguments->vms,
                      "a halted VM to create, e.g. name=web,memory-mib=256,priority=restart,"
                      "order=1 (priority: restart, best-effort or none); repeatable");
  command->add_flag("--force", arguments->force,
                    "overwrite a pool database already on the heartbeat SR, losing its records");
  command->callback([arguments, &exit_code] { exit_code = run_pool_create(*arguments); });
}

}  // namespace poolha::cli
