// Proof, passed explicitly, that this host is the pool master. Only the
// master may originate changes to the pool database, and the only way to
// write the metadata log is a MetadataLogWriter, which needs a token. Whoever
// decides mastership issues it: the HA engine once this host holds the
// statefile master lock, or the designated master when HA is off. The writer
// also stops accepting changes once an acknowledged change names another
// host as master (a handover).
#pragma once

#include <string>
#include <utility>

namespace poolha::pool {

class MasterToken {
 public:
  static MasterToken for_elected_master(std::string host_uuid) {
    return MasterToken(std::move(host_uuid));
  }
  const std::string& host_uuid() const { return host_uuid_; }

 private:
  explicit MasterToken(std::string host_uuid) : host_uuid_(std::move(host_uuid)) {}
  std::string host_uuid_;
};

}  // namespace poolha::pool
