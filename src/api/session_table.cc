#include "api/session_table.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <stdexcept>

#include <fmt/format.h>

#include "api/object_refs.h"
#include "api/random_uuid.h"
#include "api/xenapi_errors.h"
#include "common/check.h"

namespace poolha::api {
namespace {

using Digest = std::array<unsigned char, EVP_MAX_MD_SIZE>;

Digest sha256(std::string_view text) {
  Digest digest{};
  unsigned int length = 0;
  if (EVP_Digest(text.data(), text.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("OpenSSL SHA-256 failed");
  }
  return digest;
}

// Compares digests, so the time taken says nothing about where the texts
// differ or how long the secret is.
bool secrets_equal(std::string_view a, std::string_view b) {
  const Digest da = sha256(a);
  const Digest db = sha256(b);
  return CRYPTO_memcmp(da.data(), db.data(), da.size()) == 0;
}

}  // namespace

SessionTable::SessionTable(std::vector<ApiUser> users, std::string pool_secret,
                           SessionPolicy policy)
    : users_(std::move(users)), pool_secret_(std::move(pool_secret)), policy_(policy) {
  POOLHA_CHECK(policy_.idle_timeout > Duration::zero(), "session idle timeout must be positive");
  POOLHA_CHECK(policy_.max_sessions > 0, "the session limit must be positive");
  for (std::size_t i = 0; i < users_.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (users_[i].name == users_[j].name) {
        throw std::invalid_argument(fmt::format("API user {} is configured twice", users_[i].name));
      }
    }
  }
  if (!users_.empty()) {
    decoy_ = PasswordHash::create(random_uuid(), users_.front().password_hash.iterations());
  }
}

std::string SessionTable::login(std::string_view user, std::string_view password,
                                std::string_view originator, TimePoint now) {
  const ApiUser* found = nullptr;
  for (const ApiUser& candidate : users_) {
    if (candidate.name == user) found = &candidate;
  }
  if (found == nullptr) {
    if (decoy_) (void)decoy_->matches(password);
    throw errors::session_authentication_failed(user);
  }
  if (!found->password_hash.matches(password)) throw errors::session_authentication_failed(user);
  return open(found->name, originator, now);
}

std::string SessionTable::slave_login(std::string_view host_uuid, std::string_view secret,
                                      TimePoint now) {
  const std::string who = fmt::format("host {}", host_uuid);
  if (pool_secret_.empty() || !secrets_equal(secret, pool_secret_)) {
    throw errors::session_authentication_failed(who);
  }
  return open(who, "pool", now);
}

std::string SessionTable::open(std::string user, std::string_view originator, TimePoint now) {
  expire_idle(now);
  if (sessions_.size() >= policy_.max_sessions) {
    auto oldest = sessions_.end();
    for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
      if (it->second.holds == 0 &&
          (oldest == sessions_.end() || it->second.last_used < oldest->second.last_used)) {
        oldest = it;
      }
    }
    if (oldest == sessions_.end()) {
      throw errors::operation_not_allowed(
          fmt::format("the limit of {} sessions is reached and every session has a call waiting",
                      policy_.max_sessions));
    }
    sessions_.erase(oldest);
  }
  std::string ref = ref_of(random_uuid());
  sessions_.emplace(ref, Session{std::move(user), std::string(originator), now, 0});
  return ref;
}

bool SessionTable::logout(std::string_view ref) {
  const auto it = sessions_.find(ref);
  if (it == sessions_.end()) return false;
  sessions_.erase(it);
  return true;
}

bool SessionTable::expired(const Session& session, TimePoint now) const {
  return session.holds == 0 && now - session.last_used >= policy_.idle_timeout;
}

bool SessionTable::touch(std::string_view ref, TimePoint now) {
  const auto it = sessions_.find(ref);
  if (it == sessions_.end()) return false;
  if (expired(it->second, now)) {
    sessions_.erase(it);
    return false;
  }
  it->second.last_used = std::max(it->second.last_used, now);
  return true;
}

void SessionTable::hold(std::string_view ref) {
  const auto it = sessions_.find(ref);
  POOLHA_CHECK(it != sessions_.end(), "holding a session that does not exist");
  ++it->second.holds;
}

void SessionTable::release(std::string_view ref, TimePoint now) {
  const auto it = sessions_.find(ref);
  if (it == sessions_.end()) return;  // logged out while held
  POOLHA_CHECK(it->second.holds > 0, "releasing a session that is not held");
  --it->second.holds;
  it->second.last_used = std::max(it->second.last_used, now);
}

std::vector<std::string> SessionTable::expire_idle(TimePoint now) {
  std::vector<std::string> ended;
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (expired(it->second, now)) {
      ended.push_back(it->first);
      it = sessions_.erase(it);
    } else {
      ++it;
    }
  }
  return ended;
}

std::optional<TimePoint> SessionTable::next_expiry() const {
  std::optional<TimePoint> next;
  for (const auto& [ref, session] : sessions_) {
    if (session.holds > 0) continue;
    const TimePoint at = session.last_used + policy_.idle_timeout;
    if (!next || at < *next) next = at;
  }
  return next;
}

}  // namespace poolha::api
