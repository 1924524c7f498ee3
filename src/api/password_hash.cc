#include "api/password_hash.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <charconv>
#include <stdexcept>

#include <fmt/format.h>

namespace poolha::api {
namespace {

constexpr std::string_view kScheme = "pbkdf2-sha256";
constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kDigestBytes = 32;  // SHA-256

std::vector<std::uint8_t> pbkdf2(std::string_view password, const std::vector<std::uint8_t>& salt,
                                 int iterations, std::size_t length) {
  std::vector<std::uint8_t> out(length);
  if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), salt.data(),
                        static_cast<int>(salt.size()), iterations, EVP_sha256(),
                        static_cast<int>(out.size()), out.data()) != 1) {
    throw std::runtime_error("OpenSSL PBKDF2 failed");
  }
  return out;
}

std::string to_hex(const std::vector<std::uint8_t>& bytes) {
  // OpenSSL writes two digits per byte and a terminating NUL.
  std::string text(bytes.size() * 2 + 1, '\0');
  std::size_t written = 0;
  if (OPENSSL_buf2hexstr_ex(text.data(), text.size(), &written, bytes.data(), bytes.size(), '\0') !=
      1) {
    throw std::runtime_error("OpenSSL could not hex-encode a password hash");
  }
  text.resize(written > 0 ? written - 1 : 0);
  return text;
}

std::vector<std::uint8_t> from_hex(std::string_view text, std::string_view what) {
  const std::string terminated(text);
  std::vector<std::uint8_t> bytes(text.size() / 2);
  std::size_t length = 0;
  if (text.empty() || text.size() % 2 != 0 ||
      OPENSSL_hexstr2buf_ex(bytes.data(), bytes.size(), &length, terminated.c_str(), '\0') != 1) {
    throw std::invalid_argument(fmt::format("password hash: the {} is not hexadecimal", what));
  }
  bytes.resize(length);
  return bytes;
}

int checked_iterations(int iterations) {
  if (iterations < PasswordHash::kMinIterations || iterations > PasswordHash::kMaxIterations) {
    throw std::invalid_argument(fmt::format("password hash: {} iterations is outside {}..{}",
                                            iterations, PasswordHash::kMinIterations,
                                            PasswordHash::kMaxIterations));
  }
  return iterations;
}

}  // namespace

PasswordHash PasswordHash::create(std::string_view password, int iterations) {
  checked_iterations(iterations);
  std::vector<std::uint8_t> salt(kSaltBytes);
  if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1) {
    throw std::runtime_error("OpenSSL could not generate a salt");
  }
  std::vector<std::uint8_t> digest = pbkdf2(password, salt, iterations, kDigestBytes);
  return PasswordHash(iterations, std::move(salt), std::move(digest));
}

PasswordHash PasswordHash::parse(std::string_view encoded) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t dollar = encoded.find('$', start);
    parts.push_back(encoded.substr(start, dollar - start));
    if (dollar == std::string_view::npos) break;
    start = dollar + 1;
  }
  if (parts.size() != 4 || parts[0] != kScheme) {
    throw std::invalid_argument(
        fmt::format("password hash: expected {}$<iterations>$<salt hex>$<digest hex>", kScheme));
  }
  int iterations = 0;
  const auto [end, ec] =
      std::from_chars(parts[1].data(), parts[1].data() + parts[1].size(), iterations);
  if (ec != std::errc() || end != parts[1].data() + parts[1].size()) {
    throw std::invalid_argument("password hash: the iteration count is not a number");
  }
  checked_iterations(iterations);
  std::vector<std::uint8_t> salt = from_hex(parts[2], "salt");
  std::vector<std::uint8_t> digest = from_hex(parts[3], "digest");
  if (digest.size() != kDigestBytes) {
    throw std::invalid_argument(
        fmt::format("password hash: the digest has {} bytes, not {}", digest.size(), kDigestBytes));
  }
  return PasswordHash(iterations, std::move(salt), std::move(digest));
}

bool PasswordHash::matches(std::string_view password) const {
  const std::vector<std::uint8_t> candidate = pbkdf2(password, salt_, iterations_, digest_.size());
  return CRYPTO_memcmp(candidate.data(), digest_.data(), digest_.size()) == 0;
}

std::string PasswordHash::encoded() const {
  return fmt::format("{}${}${}${}", kScheme, iterations_, to_hex(salt_), to_hex(digest_));
}

}  // namespace poolha::api
