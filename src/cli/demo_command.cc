#include "cli/demo_command.h"

#include <iostream>
#include <memory>
#include <string>

#include "localpool/demo.h"

namespace poolha::cli {

void add_demo_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<localpool::DemoOptions>();
  auto vm_kind = std::make_shared<std::string>("process");
  auto namespaces = std::make_shared<bool>(false);
  CLI::App* demo = app.add_subcommand(
      "demo",
      "run a pool of real daemons on this machine, cut one host's power and show the failover");
  demo->add_option("--hosts", options->hosts, "hosts in the pool")
      ->check(CLI::Range(2, 16))
      ->capture_default_str();
  demo->add_option("--timeout", options->ha_timeout_seconds, "the HA timeout T in seconds")
      ->check(CLI::Range(2, 3600))
      ->capture_default_str();
  demo->add_option("--vms", options->vms, "protected VMs")
      ->check(CLI::Range(1, 32))
      ->capture_default_str();
  demo->add_option("--vm", *vm_kind,
                   "what a VM is: process (a shell loop) or qemu (a micro-VM booting this "
                   "machine's kernel)")
      ->check(CLI::IsMember({"process", "qemu"}))
      ->capture_default_str();
  demo->add_flag("--namespaces", *namespaces,
                 "put every host in its own network namespace on a bridge (needs root)");
  demo->add_flag("--keep", options->keep, "keep the work directory with configurations and logs");
  demo->callback([options, vm_kind, namespaces, &exit_code] {
    options->vm_kind = *vm_kind == "qemu" ? localpool::VmKind::kQemu : localpool::VmKind::kProcess;
    options->isolation =
        *namespaces ? localpool::Isolation::kNamespaces : localpool::Isolation::kLoopback;
    exit_code = localpool::run_demo(*options, std::cout, std::cerr);
  });
}

}  // namespace poolha::cli
