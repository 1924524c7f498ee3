#include "daemon/pool_secret.h"

#include <cctype>
#include <fstream>
#include <iterator>

#include "common/hex.h"
#include "daemon/config.h"

namespace poolha::daemon {

std::vector<std::uint8_t> read_pool_secret(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ConfigError(file.string() + ": cannot read the pool secret file");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  if (text.size() < 32 || text.size() % 2 != 0) {
    throw ConfigError(file.string() +
                      ": the pool secret must be an even number of hex digits, at least 32");
  }
  std::vector<std::uint8_t> secret;
  secret.reserve(text.size() / 2);
  for (std::size_t i = 0; i < text.size(); i += 2) {
    const int high = hex_digit_value(text[i]);
    const int low = hex_digit_value(text[i + 1]);
    if (high < 0 || low < 0) {
      throw ConfigError(file.string() + ": the pool secret holds a character that is not a hex " +
                        "digit at offset " + std::to_string(high < 0 ? i : i + 1));
    }
    secret.push_back(static_cast<std::uint8_t>(high * 16 + low));
  }
  return secret;
}

std::string pool_secret_text(const std::vector<std::uint8_t>& secret) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (const std::uint8_t b : secret) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0xf]);
  }
  return out;
}

}  // namespace poolha::daemon
