#include "wire/hmac.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <algorithm>
#include <vector>

#include "common/check.h"

namespace poolha::wire {
namespace {

// OpenSSL 3's one-shot HMAC() looks the algorithm up by name and builds a
// context on every call, which costs several times the hashing itself for a
// packet. Each thread keeps one context instead, keyed with the last key it
// was given; re-initialising it without a key reuses that key's pads.
class HmacSha256 {
 public:
  HmacSha256() {
    mac_ = EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr);
    ctx_ = mac_ != nullptr ? EVP_MAC_CTX_new(mac_) : nullptr;
    POOLHA_CHECK(ctx_ != nullptr, "cannot set up HMAC-SHA256");
  }
  ~HmacSha256() {
    EVP_MAC_CTX_free(ctx_);
    EVP_MAC_free(mac_);
    if (!key_.empty()) OPENSSL_cleanse(key_.data(), key_.size());
  }
  HmacSha256(const HmacSha256&) = delete;
  HmacSha256& operator=(const HmacSha256&) = delete;

  Mac compute(std::span<const std::uint8_t> key, std::span<const std::uint8_t> data) {
    // OpenSSL wants non-null pointers even for empty inputs.
    static const std::uint8_t kNothing = 0;
    bool ok;
    if (keyed_ && std::equal(key.begin(), key.end(), key_.begin(), key_.end())) {
      ok = EVP_MAC_init(ctx_, nullptr, 0, nullptr) == 1;
    } else {
      char digest[] = OSSL_DIGEST_NAME_SHA2_256;
      const OSSL_PARAM params[] = {
          OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
          OSSL_PARAM_construct_end()};
      ok = EVP_MAC_init(ctx_, key.empty() ? &kNothing : key.data(), key.size(), params) == 1;
      if (!key_.empty()) OPENSSL_cleanse(key_.data(), key_.size());
      key_.assign(key.begin(), key.end());
      keyed_ = ok;
    }
    Mac mac{};
    std::size_t len = 0;
    ok = ok && EVP_MAC_update(ctx_, data.empty() ? &kNothing : data.data(), data.size()) == 1 &&
         EVP_MAC_final(ctx_, mac.data(), &len, mac.size()) == 1;
    POOLHA_CHECK(ok && len == mac.size(), "HMAC-SHA256 failed");
    return mac;
  }

 private:
  EVP_MAC* mac_ = nullptr;
  EVP_MAC_CTX* ctx_ = nullptr;
  std::vector<std::uint8_t> key_;
  bool keyed_ = false;
};

}  // namespace

Mac hmac_sha256(std::span<const std::uint8_t> key, std::span<const std::uint8_t> data) {
  thread_local HmacSha256 hmac;
  return hmac.compute(key, data);
}

bool mac_equal(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
  // Constant time in the contents so a forger learns nothing from timing.
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace poolha::wire
