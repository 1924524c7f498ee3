#include "cli/disk_writer_command.h"

#include <iostream>
#include <memory>

#include "oracle/commands.h"

namespace poolha::cli {

void add_disk_writer_commands(CLI::App& app, int& exit_code) {
  auto writer_options = std::make_shared<oracle::DiskWriterCommandOptions>();
  CLI::App* writer = app.add_subcommand(
      "disk-writer",
      "act as a VM for the disk oracle: append a record to the VM's disk at a steady pace and "
      "log each one the disk acknowledged, until SIGTERM");
  writer
      ->add_option("--disk", writer_options->disk,
                   "the VM's disk: a file, a block device or nbd://host:port/export")
      ->required();
  writer->add_option("--vm", writer_options->vm, "the VM's UUID")
      ->envname("POOLHA_VM_UUID")
      ->required();
  writer
      ->add_option("--ack-log", writer_options->ack_log,
                   "local file each acknowledged record is appended to")
      ->required();
  writer->add_option("--interval-ms", writer_options->interval_ms, "pause between records")
      ->capture_default_str();
  writer->add_flag("--buffered", writer_options->buffered,
                   "open a local disk without O_DIRECT (for filesystems that refuse it)");
  writer->callback([writer_options, &exit_code] {
    exit_code = oracle::run_disk_writer_command(*writer_options, std::cerr);
  });

  auto oracle_options = std::make_shared<oracle::DiskOracleCommandOptions>();
  CLI::App* judge = app.add_subcommand(
      "disk-oracle",
      "after a chaos run: check from the VM disks and the ack logs that no VM ran twice at once "
      "and no acknowledged write was lost; exits 1 on any violation");
  judge
      ->add_option("--disk", oracle_options->disks,
                   "VM_UUID=DISK for each VM (a file, a block device or nbd://host:port/export)")
      ->required();
  judge->add_option("--ack-log", oracle_options->ack_logs, "every ack log the writers wrote");
  judge->add_option("--json", oracle_options->json_path, "also write the whole verdict as JSON");
  judge->callback([oracle_options, &exit_code] {
    exit_code = oracle::run_disk_oracle_command(*oracle_options, std::cout, std::cerr);
  });
}

}  // namespace poolha::cli
