// The fencer's line protocol: what parses, what is refused, and that every
// formatted line parses back.
#include "fence/fencer_protocol.h"

#include <gtest/gtest.h>

namespace poolha::fence {
namespace {

FencerRequest parsed(std::string_view line) {
  auto result = parse_request(line);
  EXPECT_TRUE(std::holds_alternative<FencerRequest>(result))
      << line << ": " << std::get<std::string>(result);
  return std::holds_alternative<FencerRequest>(result) ? std::get<FencerRequest>(result)
                                                       : FencerRequest{};
}

std::string refusal(std::string_view line) {
  auto result = parse_request(line);
  EXPECT_TRUE(std::holds_alternative<std::string>(result)) << line << " was accepted";
  return std::holds_alternative<std::string>(result) ? std::get<std::string>(result) : "";
}

TEST(FencerProtocolTest, ParsesEveryRequest) {
  EXPECT_EQ(parsed("STATUS").kind, FencerRequest::Kind::kStatus);
  EXPECT_EQ(parsed("KICK").kind, FencerRequest::Kind::kKick);
  EXPECT_EQ(parsed("DISARM").kind, FencerRequest::Kind::kDisarm);
  const FencerRequest arm = parsed("ARM 2500");
  EXPECT_EQ(arm.kind, FencerRequest::Kind::kArm);
  EXPECT_EQ(arm.timeout, 2500ms);
  const FencerRequest fence = parsed("FENCE lost the liveset: host 3 of 5");
  EXPECT_EQ(fence.kind, FencerRequest::Kind::kFence);
  EXPECT_EQ(fence.reason, "lost the liveset: host 3 of 5");
}

TEST(FencerProtocolTest, RefusesMalformedRequests) {
  EXPECT_NE(refusal("ARM").find("milliseconds"), std::string::npos);
  EXPECT_NE(refusal("ARM 0").find("got '0'"), std::string::npos);
  EXPECT_NE(refusal("ARM -5").find("got '-5'"), std::string::npos);
  EXPECT_NE(refusal("ARM 12x").find("got '12x'"), std::string::npos);
  EXPECT_NE(refusal("ARM 3600001").find("3600000"), std::string::npos);
  EXPECT_EQ(refusal("KICK now"), "KICK takes no argument");
  EXPECT_EQ(refusal("FENCE"), "FENCE needs a reason");
  EXPECT_EQ(refusal("REBOOT"), "unknown request 'REBOOT'");
  EXPECT_EQ(refusal("kick"), "unknown request 'kick'");
  EXPECT_EQ(refusal(std::string(kMaxProtocolLine + 1, 'K')), "line too long");
}

TEST(FencerProtocolTest, FormattedRequestsParseBack) {
  const FencerRequest arm{FencerRequest::Kind::kArm, 750ms, {}};
  EXPECT_EQ(format_request(arm), "ARM 750\n");
  const std::string fence = format_request({FencerRequest::Kind::kFence, {}, "two\nlines\r"});
  EXPECT_EQ(fence, "FENCE two lines \n");
  EXPECT_EQ(parsed(std::string_view(fence).substr(0, fence.size() - 1)).reason, "two lines ");

  const std::string huge =
      format_request({FencerRequest::Kind::kFence, {}, std::string(10000, 'r')});
  EXPECT_EQ(huge.size(), kMaxProtocolLine + 1);
  EXPECT_EQ(parsed(std::string_view(huge).substr(0, huge.size() - 1)).kind,
            FencerRequest::Kind::kFence);
}

TEST(FencerProtocolTest, RepliesRoundTrip) {
  for (const FencerReply& reply : {FencerReply{FencerReply::Kind::kOk, ""},
                                   FencerReply{FencerReply::Kind::kOk, "armed 500 pid 42"},
                                   FencerReply{FencerReply::Kind::kError, "not armed"},
                                   FencerReply{FencerReply::Kind::kFenced, "2 VM groups killed"}}) {
    const std::string line = format_reply(reply);
    ASSERT_EQ(line.back(), '\n');
    auto back = parse_reply(std::string_view(line).substr(0, line.size() - 1));
    ASSERT_TRUE(std::holds_alternative<FencerReply>(back)) << line;
    EXPECT_EQ(std::get<FencerReply>(back).kind, reply.kind);
    EXPECT_EQ(std::get<FencerReply>(back).text, reply.text);
  }
  EXPECT_TRUE(std::holds_alternative<std::string>(parse_reply("HELLO there")));
}

}  // namespace
}  // namespace poolha::fence
