// FileBlockDevice on a file in a disk filesystem: O_DIRECT round trips, the
// alignment and bounds rules, and the refusal of a filesystem without
// O_DIRECT unless buffered I/O is asked for.
#include "io/file_block_device.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <memory>
#include <optional>

#include "io/io_error.h"
#include "io_error_text.h"
#include "temp_dir.h"

namespace poolha::io {
namespace {

using ::testing::HasSubstr;
using Bytes = std::vector<std::uint8_t>;
using testing::TempDir;

constexpr std::size_t kSize = 64 * 1024;

Bytes pattern(std::size_t size, std::uint8_t seed) {
  Bytes bytes(size);
  for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<std::uint8_t>(seed + i * 7);
  return bytes;
}

Bytes file_contents(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

using testing::error_of;

class FileBlockDeviceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    image_ = dir_.path() / "statefile.img";
    testing::make_zero_file(image_, kSize);
    try {
      device_.emplace(image_.string());
    } catch (const IoError& e) {
      GTEST_SKIP() << "O_DIRECT is refused under " << dir_.path() << ": " << e.what();
    }
  }

  TempDir dir_;
  std::filesystem::path image_;
  std::optional<FileBlockDevice> device_;
};

TEST_F(FileBlockDeviceTest, RoundTripWithDirectIo) {
  EXPECT_TRUE(device_->direct());
  EXPECT_EQ(device_->size(), kSize);
  const Bytes slot = pattern(8192, 3);
  device_->write(4096, slot);
  device_->flush();
  EXPECT_EQ(device_->read(4096, 8192), slot);
  EXPECT_EQ(device_->read(0, 4096), Bytes(4096, 0));  // the neighbour is untouched
  EXPECT_EQ(device_->read(12288, 4096), Bytes(4096, 0));

  // The bytes are in the file, where another opener sees them.
  const Bytes on_disk = file_contents(image_);
  ASSERT_EQ(on_disk.size(), kSize);
  EXPECT_TRUE(std::equal(slot.begin(), slot.end(), on_disk.begin() + 4096));
  FileBlockDevice again(image_.string());
  EXPECT_EQ(again.read(4096, 8192), slot);
}

TEST_F(FileBlockDeviceTest, WholeDeviceRead) {
  const Bytes last = pattern(4096, 9);
  device_->write(kSize - 4096, last);
  const Bytes all = device_->read(0, kSize);
  ASSERT_EQ(all.size(), kSize);
  EXPECT_TRUE(std::equal(last.begin(), last.end(), all.end() - 4096));
}

TEST_F(FileBlockDeviceTest, MisalignedRequestsAreRefusedWithoutTouchingTheFile) {
  device_->write(0, pattern(4096, 1));
  const Bytes before = file_contents(image_);
  EXPECT_THAT(error_of([&] { device_->write(100, pattern(4096, 2)); }),
              HasSubstr("must be multiples of 4096"));
  EXPECT_THAT(error_of([&] { device_->write(4096, pattern(1000, 2)); }),
              HasSubstr("must be multiples of 4096"));
  EXPECT_THAT(error_of([&] { device_->read(512, 4096); }), HasSubstr("must be multiples of 4096"));
  EXPECT_THAT(error_of([&] { device_->read(0, 4097); }), HasSubstr("must be multiples of 4096"));
  EXPECT_THAT(error_of([&] { device_->read(0, 0); }), HasSubstr("empty request"));
  EXPECT_EQ(file_contents(image_), before);
}

TEST_F(FileBlockDeviceTest, RequestsPastTheEndAreRefused) {
  EXPECT_THAT(error_of([&] { device_->read(kSize, 4096); }), HasSubstr("past the end"));
  EXPECT_THAT(error_of([&] { device_->read(kSize - 4096, 8192); }), HasSubstr("past the end"));
  EXPECT_THAT(error_of([&] { device_->write(kSize, pattern(4096, 1)); }),
              HasSubstr("past the end"));
  EXPECT_EQ(file_contents(image_).size(), kSize);  // not extended
}

TEST(FileBlockDevice, MissingFileFailsClearly) {
  TempDir dir;
  const std::string path = (dir.path() / "absent.img").string();
  EXPECT_THAT(error_of([&] { FileBlockDevice d(path); }),
              HasSubstr("cannot open " + path + ": No such file or directory"));
}

// A ramfs mount: a filesystem without O_DIRECT on every kernel (tmpfs gained
// it in Linux 6.6). Mounted for the test only.
class RamfsMount {
 public:
  explicit RamfsMount(const std::filesystem::path& at) : at_(at) {
    mounted_ = mount("poolha-io-test", at.c_str(), "ramfs", 0, nullptr) == 0;
  }
  ~RamfsMount() {
    if (mounted_) umount(at_.c_str());
  }
  bool mounted() const { return mounted_; }

 private:
  std::filesystem::path at_;
  bool mounted_ = false;
};

TEST(FileBlockDevice, FilesystemWithoutDirectIoIsRefusedUnlessBufferedIsChosen) {
  if (geteuid() != 0) GTEST_SKIP() << "mounting a ramfs (no O_DIRECT) needs root";
  TempDir dir;
  const RamfsMount ramfs(dir.path());
  ASSERT_TRUE(ramfs.mounted()) << "cannot mount ramfs on " << dir.path();
  const auto image = dir.path() / "statefile.img";
  testing::make_zero_file(image, kSize);

  EXPECT_THAT(error_of([&] { FileBlockDevice d(image.string()); }),
              HasSubstr("its filesystem does not support O_DIRECT"));

  FileBlockDevice buffered(image.string(), FileBlockDeviceOptions{.direct = false});
  EXPECT_FALSE(buffered.direct());
  const Bytes slot = pattern(4096, 5);
  buffered.write(8192, slot);
  buffered.flush();
  EXPECT_EQ(buffered.read(8192, 4096), slot);
  // The alignment rule holds for buffered I/O too.
  EXPECT_THAT(error_of([&] { buffered.write(10, slot); }), HasSubstr("must be multiples of 4096"));
}

}  // namespace
}  // namespace poolha::io
