#include "localpool/nbd_storage_server.h"

#include <signal.h>

#include <filesystem>
#include <stdexcept>
#include <thread>

#include "io/io_error.h"
#include "io/nbd_block_device.h"
#include "localpool/local_pool.h"
#include "localpool/network_namespace_thread.h"
#include "common/tool_runner.h"

namespace poolha::localpool {
namespace {

constexpr const char* kStorageDaemon = "qemu-storage-daemon";

// QEMU's option syntax splits at commas; a literal comma is written twice.
std::string qemu_option_value(const std::string& text) {
  std::string escaped;
  for (const char c : text) {
    escaped += c;
    if (c == ',') escaped += ',';
  }
  return escaped;
}

// Whether every export answers an NBD client in the storage namespace.
bool every_export_answers(const StoragePlan& storage, std::string* reason) {
  try {
    run_in_network_namespace(storage.server_namespace, [&storage] {
      std::vector<std::string> uris = {storage.heartbeat_sr.uri};
      for (const auto& entry : storage.vm_disks) uris.push_back(entry.second.uri);
      for (const std::string& uri : uris) {
        const io::NbdBlockDevice connected(uri);
      }
    });
    return true;
  } catch (const io::IoError& error) {
    *reason = error.what();
    return false;
  }
}

}  // namespace

NbdStorageServer::NbdStorageServer(StoragePlan storage) : storage_(std::move(storage)) {
  if (storage_.kind != Storage::kNbdNamespace) {
    throw std::invalid_argument("an NBD storage server needs Storage::kNbdNamespace");
  }
}

std::string NbdStorageServer::unavailable_reason() {
  if (!tool_succeeds({kStorageDaemon, "--version"})) {
    return std::string("NBD storage needs ") + kStorageDaemon + " (QEMU 7.2 or newer)";
  }
  return "";
}

std::vector<std::string> NbdStorageServer::command(const StoragePlan& storage) {
  std::vector<std::string> argv = {kStorageDaemon};
  std::vector<const NbdExport*> exports = {&storage.heartbeat_sr};
  for (const auto& entry : storage.vm_disks) exports.push_back(&entry.second);
  // Node and export ids are QEMU identifiers; numbering them keeps any
  // export name valid.
  for (std::size_t i = 0; i < exports.size(); ++i) {
    const std::string node = "image" + std::to_string(i);
    argv.push_back("--blockdev");
    argv.push_back("driver=file,node-name=" + node +
                   ",filename=" + qemu_option_value(exports[i]->image.string()));
  }
  argv.push_back("--nbd-server");
  argv.push_back("addr.type=inet,addr.host=" + storage.server_address +
                 ",addr.port=" + std::to_string(storage.server_port) + ",max-connections=0");
  for (std::size_t i = 0; i < exports.size(); ++i) {
    argv.push_back("--export");
    argv.push_back("type=nbd,id=export" + std::to_string(i) + ",node-name=image" +
                   std::to_string(i) + ",name=" + qemu_option_value(exports[i]->name) +
                   ",writable=on");
  }
  return argv;
}

void NbdStorageServer::start(Duration timeout) {
  if (running()) throw std::logic_error("the NBD storage server runs already");
  std::vector<const NbdExport*> exports = {&storage_.heartbeat_sr};
  for (const auto& entry : storage_.vm_disks) exports.push_back(&entry.second);
  for (const NbdExport* entry : exports) {
    if (!std::filesystem::is_regular_file(entry->image)) {
      throw std::logic_error("the NBD storage server has no image " + entry->image.string() +
                             " (LocalPool::write_files makes them)");
    }
  }
  std::vector<std::string> argv = {"ip", "netns", "exec", storage_.server_namespace};
  const std::vector<std::string> server = command(storage_);
  argv.insert(argv.end(), server.begin(), server.end());
  const pid_t started = table_.start(ProcessSpec{"NBD storage server", argv, storage_.server_log});
  pid_ = started;

  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string reason;
  while (!every_export_answers(storage_, &reason)) {
    if (!table_.running(started)) {
      pid_.reset();
      throw std::runtime_error(
          "the NBD storage server exited (" + table_.exit_description(started) + "); end of " +
          storage_.server_log.string() + ":\n" + log_tail(storage_.server_log));
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      stop();
      throw std::runtime_error("the NBD storage server at " + storage_.server_address + ":" +
                               std::to_string(storage_.server_port) + " did not answer: " + reason +
                               "; end of its log:\n" + log_tail(storage_.server_log));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

void NbdStorageServer::stop() {
  if (!pid_) return;
  table_.kill(*pid_);
  pid_.reset();
}

void NbdStorageServer::pause() {
  if (!running()) throw std::logic_error("the NBD storage server does not run");
  table_.signal(*pid_, SIGSTOP);
}

void NbdStorageServer::resume() {
  if (!running()) throw std::logic_error("the NBD storage server does not run");
  table_.signal(*pid_, SIGCONT);
}

bool NbdStorageServer::running() {
  return pid_ && table_.running(*pid_);
}

std::optional<pid_t> NbdStorageServer::pid() {
  if (!running()) return std::nullopt;
  return pid_;
}

}  // namespace poolha::localpool
