// The NBD server of a pool with Storage::kNbdNamespace: one
// qemu-storage-daemon in the storage namespace exporting the heartbeat SR
// image and every VM disk image on one address and port. One process and one
// port for every export (rather than a qemu-nbd per image) keeps a VM's disk
// URI the same but for the export name, so a VM command template can name
// it with {name}. QEMU's NBD server offers FUA and flush, which the daemon's
// NBD client needs for durable writes, and serves any number of clients per
// export (it does no locking between writers: keeping one writer is HA's
// job).
//
// Started and stopped by PID, and restartable on the same address, port and
// exports: the images keep what was written. Stopping kills it at once, as a
// crash would, and clients' open connections break (they must reconnect).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "common/time.h"
#include "localpool/pool_plan.h"
#include "localpool/process_table.h"

namespace poolha::localpool {

class NbdStorageServer {
 public:
  // Throws std::invalid_argument unless `storage` is kNbdNamespace.
  explicit NbdStorageServer(StoragePlan storage);
  NbdStorageServer(const NbdStorageServer&) = delete;
  NbdStorageServer& operator=(const NbdStorageServer&) = delete;
  ~NbdStorageServer() = default;  // the process table kills a running server

  // Empty when qemu-storage-daemon can run here; otherwise why not.
  static std::string unavailable_reason();

  // Starts the server in the storage namespace and returns once every
  // export answers an NBD client there. Throws std::logic_error when it
  // runs already or an image is missing, std::runtime_error (with the end
  // of its log) when it exits or does not answer within `timeout`.
  void start(Duration timeout = std::chrono::seconds(20));
  // SIGKILL, then waits until it is reaped. Nothing happens when it is not
  // running.
  void stop();
  // SIGSTOP / SIGCONT: the server holds every request without answering, as
  // a storage controller that pauses during its failover.
  void pause();
  void resume();

  bool running();
  std::optional<pid_t> pid();

  // The server's command line (run inside the storage namespace).
  static std::vector<std::string> command(const StoragePlan& storage);

 private:
  StoragePlan storage_;
  ProcessTable table_;
  std::optional<pid_t> pid_;
};

}  // namespace poolha::localpool
