// The device work behind the daemon's storage requests, for a StorageWorker:
// the membership engine's statefile operations and the pool database's
// metadata-log writes. The heartbeat SR holds the statefile first and the
// metadata area after it; the daemon decides where each region starts (a
// multiple of the 4096-byte alignment) and how large it is, and the jobs
// refuse anything that would reach outside its region.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ha/engine.h"
#include "io/storage_worker.h"
#include "pool/metadata_log_writer.h"

namespace poolha::io {

// A byte range of a device.
struct DeviceRegion {
  std::uint64_t base = 0;
  std::uint64_t size = 0;
};

// The engine's op on the statefile region (size: wire::layout_for(n).total_size()):
// kReadAll reads the whole region (the result's bytes are the image to
// decode with wire::decode_statefile); kWrite writes op.bytes at op.offset
// within it and flushes. One step.
StorageJob statefile_job(const ha::StorageOp& op, DeviceRegion statefile);

// A pool::PendingWrite's writes on the metadata area, in order, each written
// and flushed before the next starts; one step per write, so a failure
// reports how many completed (pool::MetadataLogWriter::abandon). The log's
// block size must be a multiple of 4096 so every write is aligned.
StorageJob area_writes_job(std::vector<pool::AreaWrite> writes, DeviceRegion area);

// Reads a whole region (the metadata area, for recovery). One step.
StorageJob region_read_job(DeviceRegion region, std::string description);

}  // namespace poolha::io
