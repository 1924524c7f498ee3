#include "daemon/pool_secret.h"

#include <gtest/gtest.h>

#include <fstream>

#include "daemon/config.h"

namespace poolha::daemon {
namespace {

class PoolSecretFile : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() /
            ("poolha-secret-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
  }
  void TearDown() override { std::filesystem::remove(path_); }
  void write(const std::string& text) { std::ofstream(path_) << text; }
  std::string error() {
    try {
      read_pool_secret(path_);
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "(accepted)";
  }
  std::filesystem::path path_;
};

TEST_F(PoolSecretFile, ReadsHexWithATrailingNewline) {
  write("00112233445566778899aabbccddeeff0102\n");
  const auto secret = read_pool_secret(path_);
  ASSERT_EQ(secret.size(), 18u);
  EXPECT_EQ(secret[1], 0x11);
  EXPECT_EQ(secret[15], 0xff);
  EXPECT_EQ(pool_secret_text(secret), "00112233445566778899aabbccddeeff0102");
}

TEST_F(PoolSecretFile, RefusesShortOddOrNonHexSecrets) {
  write("0011");
  EXPECT_NE(error().find("at least 32"), std::string::npos) << error();
  write("00112233445566778899aabbccddeeff0");
  EXPECT_NE(error().find("even number"), std::string::npos) << error();
  write("00112233445566778899aabbccddeefg");
  EXPECT_NE(error().find("offset 31"), std::string::npos) << error();
}

TEST_F(PoolSecretFile, AMissingFileIsNamed) {
  EXPECT_NE(error().find(path_.string()), std::string::npos);
}

}  // namespace
}  // namespace poolha::daemon
