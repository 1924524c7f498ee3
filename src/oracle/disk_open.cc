#include "oracle/disk_open.h"

#include <string_view>

#include "io/file_block_device.h"
#include "io/nbd_block_device.h"

namespace poolha::oracle {

std::unique_ptr<io::BlockDevice> open_disk(const std::string& disk, bool direct) {
  if (std::string_view(disk).starts_with("nbd://")) {
    return std::make_unique<io::NbdBlockDevice>(disk);
  }
  return std::make_unique<io::FileBlockDevice>(disk, io::FileBlockDeviceOptions{.direct = direct});
}

}  // namespace poolha::oracle
