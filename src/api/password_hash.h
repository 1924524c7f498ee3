// Salted password hashes for the API's users: PBKDF2-HMAC-SHA256 through
// OpenSSL, compared in constant time. The configuration file stores only the
// encoded hash, never the password:
//   pbkdf2-sha256$<iterations>$<salt hex>$<digest hex>
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace poolha::api {

class PasswordHash {
 public:
  static constexpr int kDefaultIterations = 210000;
  // Fewer rounds than this would make a stolen configuration file cheap to attack.
  static constexpr int kMinIterations = 1000;
  static constexpr int kMaxIterations = 100000000;

  // Hashes `password` with a fresh random salt. Throws std::invalid_argument
  // for an iteration count outside [kMinIterations, kMaxIterations] and
  // std::runtime_error if OpenSSL fails.
  static PasswordHash create(std::string_view password, int iterations = kDefaultIterations);
  // Decodes the configuration form. Throws std::invalid_argument saying what
  // is wrong with it.
  static PasswordHash parse(std::string_view encoded);

  // Whether `password` hashes to this digest; the comparison takes the same
  // time wherever the digests differ.
  bool matches(std::string_view password) const;
  std::string encoded() const;
  int iterations() const { return iterations_; }

 private:
  PasswordHash(int iterations, std::vector<std::uint8_t> salt, std::vector<std::uint8_t> digest)
      : iterations_(iterations), salt_(std::move(salt)), digest_(std::move(digest)) {}

  int iterations_;
  std::vector<std::uint8_t> salt_;
  std::vector<std::uint8_t> digest_;
};

}  // namespace poolha::api
