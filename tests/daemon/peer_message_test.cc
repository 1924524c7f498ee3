#include "daemon/peer_message.h"

#include <gtest/gtest.h>

#include <vector>

namespace poolha::daemon {
namespace {

using namespace failover;

template <typename T>
T round_trip(const T& message) {
  const std::string body = encode_peer_message(message);
  std::string error;
  const std::optional<PeerMessage> decoded = decode_peer_message(body, &error);
  EXPECT_TRUE(decoded.has_value()) << error << "\n" << body;
  if (!decoded || !std::holds_alternative<T>(*decoded)) return T{};
  return std::get<T>(*decoded);
}

std::string refusal(const std::string& body) {
  std::string error;
  EXPECT_FALSE(decode_peer_message(body, &error).has_value()) << body;
  return error;
}

TEST(PeerMessage, EveryKindSurvivesTheRoundTrip) {
  VmCommand command;
  command.kind = VmCommand::Kind::kStop;
  command.epoch = 7;
  command.master = 2;
  command.id = (std::uint64_t{7} << 32) | 5;
  command.vm = {"vm-1", "web \"one\"", std::uint64_t{4} << 30};
  const VmCommand c = round_trip(command);
  EXPECT_EQ(c.kind, command.kind);
  EXPECT_EQ(c.epoch, 7u);
  EXPECT_EQ(c.master, 2);
  EXPECT_EQ(c.id, command.id);
  EXPECT_EQ(c.vm.uuid, "vm-1");
  EXPECT_EQ(c.vm.name, "web \"one\"");
  EXPECT_EQ(c.vm.memory, command.vm.memory);

  VmCommandResult result{7, 3, 11, "vm-1", false, "HOST_NOT_ENOUGH_FREE_MEMORY", 42};
  const VmCommandResult r = round_trip(result);
  EXPECT_EQ(r.epoch, 7u);
  EXPECT_EQ(r.host, 3);
  EXPECT_EQ(r.id, 11u);
  EXPECT_EQ(r.vm, "vm-1");
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error, "HOST_NOT_ENOUGH_FREE_MEMORY");
  EXPECT_EQ(r.report_sequence, 42u);

  HostReport report;
  report.epoch = 7;
  report.host = 255;
  report.incarnation = 9;
  report.sequence = 100;
  report.running = {"a", "b"};
  report.halts = {{"c", vm::HaltCause::kGuestCrash}, {"d", vm::HaltCause::kGuestShutdown}};
  const HostReport h = round_trip(report);
  EXPECT_EQ(h.host, 255);
  EXPECT_EQ(h.incarnation, 9u);
  EXPECT_EQ(h.sequence, 100u);
  EXPECT_EQ(h.running, report.running);
  ASSERT_EQ(h.halts.size(), 2u);
  EXPECT_EQ(h.halts[0].vm, "c");
  EXPECT_EQ(h.halts[0].cause, vm::HaltCause::kGuestCrash);
  EXPECT_EQ(h.halts[1].cause, vm::HaltCause::kGuestShutdown);

  const ReportAck a = round_trip(ReportAck{7, 1, 99});
  EXPECT_EQ(a.epoch, 7u);
  EXPECT_EQ(a.master, 1);
  EXPECT_EQ(a.sequence, 99u);
}

TEST(PeerMessage, RefusesAnythingNotExactlyAMessage) {
  EXPECT_EQ(refusal(R"({"type":"report_ack","epoch":1,"master":0})"), "message.sequence: missing");
  EXPECT_EQ(refusal(R"({"type":"report_ack","epoch":1,"master":0,"sequence":1,"x":1})"),
            "message.x: unknown field");
  EXPECT_EQ(refusal(R"({"type":"report_ack","epoch":-1,"master":0,"sequence":1})"),
            "message.epoch: not an unsigned");
  EXPECT_EQ(refusal(R"({"type":"report_ack","epoch":1,"master":256,"sequence":1})"),
            "message.master: not a host index");
  EXPECT_EQ(refusal(R"({"type":"reboot"})"), "message.type: 'reboot' is unknown");
  EXPECT_EQ(refusal(R"({"type":"vm_command","kind":"migrate","epoch":1,"master":0,"id":1,)"
                    R"("vm":{"uuid":"a","name":"a","memory":1}})"),
            "vm_command.kind: 'migrate' is neither start nor stop");
  EXPECT_EQ(refusal(R"({"type":"host_report","epoch":1,"host":0,"incarnation":1,"sequence":1,)"
                    R"("running":["b","a"],"halts":[]})"),
            "host_report.running: not sorted");
  EXPECT_EQ(refusal("[1,2]"), "message: not an object");
  EXPECT_EQ(refusal("{").rfind("not JSON: ", 0), 0u);
}

TEST(PeerMessage, SignaturesBindTheBodyToTheSecret) {
  const std::vector<std::uint8_t> secret(32, 0x5a);
  const std::vector<std::uint8_t> other(32, 0x5b);
  const std::string body = encode_peer_message(ReportAck{1, 0, 1});
  const std::string mac = sign_peer_message(secret, body);
  EXPECT_EQ(mac.size(), 64u);
  EXPECT_TRUE(verify_peer_message(secret, body, mac));
  EXPECT_FALSE(verify_peer_message(other, body, mac));
  EXPECT_FALSE(verify_peer_message(secret, body + " ", mac));
  EXPECT_FALSE(verify_peer_message(secret, body, mac.substr(1)));
  EXPECT_FALSE(verify_peer_message(secret, body, ""));
}

}  // namespace
}  // namespace poolha::daemon
