// The fence reason record: its JSON form, the durable file, and what
// operators are shown.
#include "fence/fence_record.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "fence/commands.h"
#include "temp_dir.h"

namespace poolha::fence {
namespace {

FenceRecord sample_record() {
  FenceRecord record;
  record.unix_ms = 1'795'000'000'123;
  record.host = "host-a";
  record.decided_by = FenceCause::kMissedKicks;
  record.reason = "no kick for 2500 ms (watchdog timeout 2500 ms)";
  record.fencer = "process fencer";
  FenceAction daemon;
  daemon.kind = FenceAction::Kind::kKillDaemon;
  daemon.id = 4000;
  daemon.outcome = FenceAction::Outcome::kDone;
  daemon.detail = "exited";
  FenceAction vm;
  vm.kind = FenceAction::Kind::kKillVmGroup;
  vm.vm = "0f1e2d3c-aaaa-bbbb-cccc-000000000001";
  vm.id = 4242;
  vm.outcome = FenceAction::Outcome::kDone;
  FenceAction gone = vm;
  gone.vm = "0f1e2d3c-aaaa-bbbb-cccc-000000000002";
  gone.id = 4300;
  gone.outcome = FenceAction::Outcome::kAlreadyGone;
  FenceAction reset;
  reset.kind = FenceAction::Kind::kResetTcp;
  reset.id = 3;
  reset.outcome = FenceAction::Outcome::kDone;
  record.actions = {daemon, vm, gone, reset};
  record.problems = {"VM process registry entry 'vm-bad' is not a process group id"};
  record.complete = true;
  return record;
}

TEST(FenceRecordTest, EncodesAndDecodesEveryField) {
  const FenceRecord record = sample_record();
  const std::string text = encode_fence_record(record);
  EXPECT_NE(text.find("\"time\": \"2026-11-18T"), std::string::npos) << text;
  EXPECT_NE(text.find("\"decided_by\": \"missed-kicks\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"action\": \"reset-tcp\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"connections\": 3"), std::string::npos) << text;
  auto decoded = decode_fence_record(text);
  ASSERT_TRUE(std::holds_alternative<FenceRecord>(decoded)) << std::get<std::string>(decoded);
  EXPECT_EQ(std::get<FenceRecord>(decoded), record);

  FenceRecord reboot;
  reboot.host = "host-b";
  FenceAction action;
  action.kind = FenceAction::Kind::kReboot;
  action.trigger = "/proc/sysrq-trigger";
  reboot.actions = {action};
  auto decoded_reboot = decode_fence_record(encode_fence_record(reboot));
  ASSERT_TRUE(std::holds_alternative<FenceRecord>(decoded_reboot));
  EXPECT_EQ(std::get<FenceRecord>(decoded_reboot), reboot);
}

TEST(FenceRecordTest, DecodingNamesWhatIsWrong) {
  auto problem = [](const std::string& text) {
    auto decoded = decode_fence_record(text);
    return std::holds_alternative<std::string>(decoded) ? std::get<std::string>(decoded)
                                                        : std::string("accepted");
  };
  EXPECT_NE(problem("{not json").find("not valid JSON"), std::string::npos);
  EXPECT_EQ(problem(R"({"format": "something-else"})"), "not a poolha fence reason record");
  std::string text = encode_fence_record(sample_record());
  text.replace(text.find("missed-kicks"), 12, "gremlins");
  EXPECT_EQ(problem(text), "decided_by: unknown cause 'gremlins'");
  text = encode_fence_record(sample_record());
  text.replace(text.find("\"pid\""), 5, "\"pod\"");
  EXPECT_EQ(problem(text), "actions[0].pid is missing");
}

TEST(FenceRecordTest, WritesAtomicallyAndReadsBack) {
  testing::TempDir dir;
  const auto state = dir.path() / "state";  // created on demand
  EXPECT_FALSE(read_fence_record(state).has_value()) << "no fence yet";
  write_fence_record(state, sample_record());
  FenceRecord newer = sample_record();
  newer.reason = "a later fence replaces the record";
  write_fence_record(state, newer);
  const auto read = read_fence_record(state);
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(*read, newer);
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(state)) {
    names.push_back(entry.path().filename().string());
  }
  EXPECT_EQ(names, std::vector<std::string>{"fence-reason.json"}) << "no temporary left";
}

TEST(FenceRecordTest, ReadingAMalformedFileThrowsNamingIt) {
  testing::TempDir dir;
  std::ofstream(dir.path() / "fence-reason.json") << "{\"format\": 1";
  try {
    read_fence_record(dir.path());
    FAIL() << "a malformed record was accepted";
  } catch (const FenceRecordError& error) {
    EXPECT_NE(std::string(error.what()).find("fence-reason.json: not valid JSON"),
              std::string::npos)
        << error.what();
  }
}

TEST(FenceRecordTest, RendersForOperators) {
  FenceRecord record = sample_record();
  const std::string text = render_fence_record(record);
  EXPECT_NE(text.find("Host host-a fenced at 2026-11-18 "), std::string::npos) << text;
  EXPECT_NE(text.find("Decided by: missed-kicks: the daemon stopped kicking"), std::string::npos);
  EXPECT_NE(text.find("Reason: no kick for 2500 ms"), std::string::npos);
  EXPECT_NE(text.find("kill the daemon (pid 4000): done (exited)"), std::string::npos);
  EXPECT_NE(text.find("kill VM 0f1e2d3c-aaaa-bbbb-cccc-000000000001 (process group 4242): done"),
            std::string::npos);
  EXPECT_NE(text.find("(process group 4300): already gone"), std::string::npos);
  EXPECT_NE(text.find("reset the host's TCP connections (3 aborted): done"), std::string::npos)
      << text;
  EXPECT_NE(text.find("Problems:\n  VM process registry entry 'vm-bad'"), std::string::npos);
  EXPECT_EQ(text.find("written before acting"), std::string::npos);

  record.complete = false;
  record.actions[1].outcome = FenceAction::Outcome::kPending;
  const std::string early = render_fence_record(record);
  EXPECT_NE(early.find("(process group 4242): not confirmed"), std::string::npos) << early;
  EXPECT_NE(early.find("written before acting"), std::string::npos);
}

TEST(FenceRecordTest, ShowFenceReasonReportsEachCase) {
  testing::TempDir dir;
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(show_fence_reason(dir.path(), false, out, err), 1);
  EXPECT_EQ(err.str(), "no fence recorded in " + dir.path().string() + "\n");

  write_fence_record(dir.path(), sample_record());
  out.str("");
  EXPECT_EQ(show_fence_reason(dir.path(), false, out, err), 0);
  EXPECT_EQ(out.str(), render_fence_record(sample_record()));
  out.str("");
  EXPECT_EQ(show_fence_reason(dir.path(), true, out, err), 0);
  EXPECT_EQ(out.str(), encode_fence_record(sample_record()));

  std::ofstream(dir.path() / "fence-reason.json") << "garbage";
  err.str("");
  EXPECT_EQ(show_fence_reason(dir.path(), false, out, err), 2);
  EXPECT_NE(err.str().find("cannot show the fence reason"), std::string::npos);
}

}  // namespace
}  // namespace poolha::fence
