// What `poolha chaos` is asked to do, the checks of those options, and the
// checks of the machine it needs (root, nft, qemu-storage-daemon): both
// kinds of refusal end the run before anything starts, with exit status 2.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

#include "chaos/chaos_schedule.h"

namespace poolha::chaos {

struct ChaosOptions {
  std::size_t hosts = 3;    // 2..16
  std::size_t faults = 10;  // 1..10000
  std::uint64_t seed = 1;
  int ha_timeout_seconds = 10;          // T: 5..600 (the daemon refuses less than 5 s)
  std::size_t vms_per_host = 2;         // 1..8 protected disk-writer VMs per host
  bool clock_jumps = true;              // --no-clock-jump turns wall-clock jumps off
  int settle_timeout_seconds = 0;       // 0: derived from T (default_settle_timeout)
  bool keep = false;                    // keep the work directory
  bool schedule_only = false;           // print the schedule and stop (needs no root)
  std::filesystem::path poolha_binary;  // empty: this executable
};

// Empty when the options can be run; otherwise the first problem, as one
// sentence naming the option.
std::string validate_chaos_options(const ChaosOptions& options);

// How long the run waits for the pool to settle after a fault: room for a
// fence (about T), a reboot and the rejoin (a few T) and VM restarts.
int default_settle_timeout_seconds(int ha_timeout_seconds);

// The size of each VM disk: a disk-writer appends 512 bytes ten times a
// second while it runs, so a longer run needs a larger (sparse) disk.
std::uint64_t vm_disk_mib_for(std::size_t faults, int ha_timeout_seconds);

// Empty when this machine can run a chaos pool; otherwise why not (not
// root, no nft, no qemu-storage-daemon, no ip).
std::string machine_unavailable_reason();

ScheduleOptions schedule_options(const ChaosOptions& options);

}  // namespace poolha::chaos
