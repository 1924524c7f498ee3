// Opens a VM disk named on a command line: an NBD export
// (nbd://host:port/export) or a local file or block device.
#pragma once

#include <memory>
#include <string>

#include "io/block_device.h"

namespace poolha::oracle {

// `direct` selects O_DIRECT for a local file (see io::FileBlockDevice); it
// does not apply to NBD. Throws io::IoError when the disk cannot be opened.
std::unique_ptr<io::BlockDevice> open_disk(const std::string& disk, bool direct);

}  // namespace poolha::oracle
