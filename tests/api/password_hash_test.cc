// Password hashes: a created hash matches its password only, survives its
// configuration form, and malformed configuration is rejected with a reason.
#include <gtest/gtest.h>

#include <stdexcept>

#include "api/password_hash.h"

namespace poolha::api {
namespace {

TEST(PasswordHash, MatchesOnlyItsPassword) {
  const PasswordHash hash = PasswordHash::create("s3cret", PasswordHash::kMinIterations);
  EXPECT_TRUE(hash.matches("s3cret"));
  EXPECT_FALSE(hash.matches("s3cret "));
  EXPECT_FALSE(hash.matches(""));
}

TEST(PasswordHash, SurvivesItsConfigurationForm) {
  const PasswordHash hash = PasswordHash::create("s3cret", 2000);
  const std::string encoded = hash.encoded();
  EXPECT_EQ(encoded.rfind("pbkdf2-sha256$2000$", 0), 0u) << encoded;
  const PasswordHash parsed = PasswordHash::parse(encoded);
  EXPECT_TRUE(parsed.matches("s3cret"));
  EXPECT_FALSE(parsed.matches("other"));
  EXPECT_EQ(parsed.encoded(), encoded);
}

TEST(PasswordHash, TwoHashesOfOnePasswordDifferBySalt) {
  EXPECT_NE(PasswordHash::create("same", PasswordHash::kMinIterations).encoded(),
            PasswordHash::create("same", PasswordHash::kMinIterations).encoded());
}

TEST(PasswordHash, RejectsMalformedConfiguration) {
  const std::string good = PasswordHash::create("x", PasswordHash::kMinIterations).encoded();
  const std::string digest = good.substr(good.rfind('$') + 1);
  for (const std::string& bad :
       {std::string(""), std::string("plain text"), "sha1$1000$00$" + digest,
        "pbkdf2-sha256$ten$00ff$" + digest, "pbkdf2-sha256$10$00ff$" + digest,
        "pbkdf2-sha256$1000$zz$" + digest, std::string("pbkdf2-sha256$1000$00ff$abcd"),
        "pbkdf2-sha256$1000$00ff$" + digest + "$extra"}) {
    EXPECT_THROW(PasswordHash::parse(bad), std::invalid_argument) << bad;
  }
}

TEST(PasswordHash, RefusesTooFewIterations) {
  EXPECT_THROW(PasswordHash::create("x", 10), std::invalid_argument);
}

}  // namespace
}  // namespace poolha::api
