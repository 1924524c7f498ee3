#include "cli/fence_commands.h"

#include <iostream>
#include <memory>

#include "fence/commands.h"

namespace poolha::cli {

void add_fence_commands(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<fence::FencerOptions>();
  CLI::App* fencer = app.add_subcommand(
      "fencer",
      "run the process fencer of this host: kills its VMs and daemon when the daemon stops "
      "kicking it or asks to fence");
  fencer->add_option("--socket", options->socket_path, "where the daemon connects")
      ->capture_default_str();
  fencer->add_option("--state-dir", options->state_dir, "where fence-reason.json is written")
      ->capture_default_str();
  fencer
      ->add_option("--vm-registry", options->vm_registry_dir,
                   "the VM process registry the VM drivers write")
      ->capture_default_str();
  fencer->add_option("--host-name", options->host_name, "name recorded in fence reasons");
  fencer->add_flag("--reset-tcp-on-fence", options->reset_tcp_on_fence,
                   "for a host that is a network namespace: a fence also aborts every TCP "
                   "connection of the namespace, as a machine reset would (needs ss)");
  fencer->callback([options, &exit_code] { exit_code = fence::run_fencer(*options); });

  auto state_dir = std::make_shared<std::filesystem::path>("/var/lib/poolha");
  auto as_json = std::make_shared<bool>(false);
  CLI::App* reason =
      app.add_subcommand("fence-reason", "show why this host last fenced, and what was killed");
  reason->add_option("--state-dir", *state_dir, "the daemon's state directory")
      ->capture_default_str();
  reason->add_flag("--json", *as_json, "print the record as JSON");
  reason->callback([state_dir, as_json, &exit_code] {
    exit_code = fence::show_fence_reason(*state_dir, *as_json, std::cout, std::cerr);
  });
}

}  // namespace poolha::cli
