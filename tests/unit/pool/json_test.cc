// JSON encodings of the database and of changes: round trips, strictness,
// and that malformed input gives an error rather than a crash.
#include <gtest/gtest.h>

#include <string>

#include "pool/change_json.h"
#include "pool/database_json.h"
#include "pool_test_support.h"

namespace poolha::pool {
namespace {

using test_support::make_host;
using test_support::make_sr;
using test_support::make_vm;
using test_support::sample_database;

ErrorCode decode_error(const std::string& text) {
  Result<Database> db = decode_database(text);
  EXPECT_FALSE(db.ok()) << text;
  return db.ok() ? ErrorCode::kInvalidValue : db.error().code;
}

// The sample's encoding with `from` replaced by `to` (once).
std::string edited(const std::string& from, const std::string& to) {
  std::string text = encode_database(sample_database());
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  text.replace(at, from.size(), to);
  return text;
}

TEST(PoolJson, DatabaseRoundTripsExactly) {
  const Database db = sample_database();
  const std::string text = encode_database(db);
  Result<Database> decoded = decode_database(text);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message();
  EXPECT_EQ(decoded.value(), db);
  EXPECT_EQ(encode_database(decoded.value()), text);
  EXPECT_NE(text.find("\"ha_restart_priority\":\"best-effort\""), std::string::npos);
  EXPECT_NE(text.find("\"power_state\":\"Paused\""), std::string::npos);
}

TEST(PoolJson, EmptyDatabaseAndUnicodeRoundTrip) {
  Database db("pool-2", "caf\xC3\xA9 \xF0\x9F\x98\x80 \"quoted\" \\ \n");
  Result<Database> decoded = decode_database(encode_database(db));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message();
  EXPECT_EQ(decoded.value(), db);
}

TEST(PoolJson, EveryChangeKindRoundTrips) {
  Vm vm = make_vm("vm-7", 3, "host-b", RestartPriority::kBestEffort);
  vm.order = -4;
  vm.start_delay = 12;
  Host host = make_host("host-z");
  host.ha_weight = 4000000000u;
  host.enabled = false;
  SetPoolFields some;
  some.ha_timeout = 75;
  some.ha_allow_overcommit = true;
  SetPoolFields all;
  all.name_label = "n";
  all.master = "host-a";
  all.ha_enabled = true;
  all.ha_configuration = std::map<std::string, std::string>{{"timeout", "30"}, {"k", ""}};
  all.ha_timeout = 30;
  all.ha_host_failures_to_tolerate = 2;
  all.ha_plan_exists_for = 1;
  all.ha_overcommitted = true;
  all.ha_allow_overcommit = false;
  all.ha_reboot_vm_on_internal_shutdown = false;
  all.ha_statefiles = std::vector<std::string>{"sr-hb"};
  const Change changes[] = {UpsertHost{host},
                            RemoveHost{"host-c"},
                            UpsertSr{make_sr("s", true)},
                            RemoveSr{"sr-local"},
                            UpsertVm{vm},
                            RemoveVm{"vm-3"},
                            some,
                            all,
                            SetPoolFields{}};
  for (const Change& change : changes) {
    const std::string text = encode_change(change);
    Result<Change> decoded = decode_change(text);
    ASSERT_TRUE(decoded.ok()) << text << ": " << decoded.error().message();
    EXPECT_EQ(decoded.value(), change) << text;
    EXPECT_NE(text.find(std::string(operation_name(change))), std::string::npos);
  }
  EXPECT_EQ(encode_change(some), R"({"fields":{"ha_allow_overcommit":true,"ha_timeout":75},)"
                                 R"("op":"set_pool"})");
}

TEST(PoolJson, MissingUnknownAndMistypedFieldsAreErrors) {
  EXPECT_EQ(decode_error(edited("\"live\":true,", "")), ErrorCode::kMalformed);
  EXPECT_EQ(decode_error(edited("\"live\":true,", "\"live\":true,\"colour\":1,")),
            ErrorCode::kMalformed);
  EXPECT_EQ(decode_error(edited("\"live\":true,", "\"live\":1,")), ErrorCode::kMalformed);
  EXPECT_EQ(decode_error(edited("\"ha_weight\":1,", "\"ha_weight\":-1,")), ErrorCode::kMalformed);
  EXPECT_EQ(decode_error(edited("\"ha_weight\":1,", "\"ha_weight\":1.5,")), ErrorCode::kMalformed);
  EXPECT_EQ(decode_error(edited("\"order\":0,", "\"order\":18446744073709551615,")),
            ErrorCode::kMalformed);
  EXPECT_EQ(decode_error(edited("\"Paused\"", "\"paused\"")), ErrorCode::kMalformed);
  EXPECT_EQ(decode_error(edited("\"best-effort\"", "\"besteffort\"")), ErrorCode::kMalformed);
  EXPECT_EQ(decode_error(edited("\"version\":1", "\"version\":2")), ErrorCode::kMalformed);
  EXPECT_EQ(decode_error(edited("poolha-pool-database", "something-else")), ErrorCode::kMalformed);
  EXPECT_EQ(decode_error(edited("\"hosts\":[", "\"hosts\":[7,")), ErrorCode::kMalformed);
  EXPECT_EQ(decode_error(edited("\"ha_statefiles\":[\"sr-hb\"]", "\"ha_statefiles\":[1]")),
            ErrorCode::kMalformed);
  EXPECT_EQ(decode_error("[]"), ErrorCode::kMalformed);
  EXPECT_EQ(decode_error("{\"format\":"), ErrorCode::kMalformed);
  EXPECT_EQ(decode_error(""), ErrorCode::kMalformed);

  Result<Database> db = decode_database(edited("\"live\":true,", "\"live\":\"yes\","));
  ASSERT_FALSE(db.ok());
  EXPECT_NE(db.error().detail.find("hosts[0].live"), std::string::npos) << db.error().detail;
}

TEST(PoolJson, DecodedDatabaseMustBeConsistent) {
  // Structurally fine, but vm-1 lands on a host that does not exist.
  EXPECT_EQ(decode_error(edited("\"resident_on\":\"host-a\"", "\"resident_on\":\"host-q\"")),
            ErrorCode::kDanglingReference);
  EXPECT_EQ(
      decode_error(edited("\"memory_static_max\":8589934592", "\"memory_static_max\":-8589934592")),
      ErrorCode::kInvalidValue);
}

TEST(PoolJson, MalformedChangesAreErrors) {
  for (const char* text : {
           "",
           "{}",
           "[]",
           "{\"op\":\"upsert_host\"}",
           "{\"op\":\"explode\"}",
           "{\"op\":\"remove_vm\"}",
           "{\"op\":\"remove_vm\",\"uuid\":7}",
           "{\"op\":\"remove_vm\",\"uuid\":\"v\",\"extra\":true}",
           "{\"op\":\"set_pool\",\"fields\":{\"ha_timeout\":\"90\"}}",
           "{\"op\":\"set_pool\",\"fields\":{\"colour\":1}}",
           "{\"op\":\"set_pool\",\"fields\":{\"ha_configuration\":{\"timeout\":90}}}",
           "{\"op\":\"upsert_sr\",\"sr\":{\"uuid\":\"s\"}}",
       }) {
    Result<Change> change = decode_change(text);
    ASSERT_FALSE(change.ok()) << text;
    EXPECT_EQ(change.error().code, ErrorCode::kMalformed) << text;
  }
}

TEST(PoolJson, EveryTruncationAndByteFlipFailsCleanly) {
  const std::string text = encode_database(sample_database());
  for (std::size_t n = 0; n < text.size(); ++n) {
    EXPECT_FALSE(decode_database(text.substr(0, n)).ok()) << n;
  }
  // Flipped bytes may still decode (a digit in a memory size); they must never crash.
  test_support::TestRandom random(7);
  for (int i = 0; i < 2000; ++i) {
    std::string mutated = text;
    mutated[random.below(mutated.size())] = static_cast<char>(random.byte());
    Result<Database> db = decode_database(mutated);
    if (db.ok()) db.value().assert_invariants();
  }
  const std::string change = encode_change(UpsertVm{make_vm("vm-1", 1, "host-a")});
  for (std::size_t n = 0; n < change.size(); ++n) {
    EXPECT_FALSE(decode_change(change.substr(0, n)).ok()) << n;
  }
}

}  // namespace
}  // namespace poolha::pool
