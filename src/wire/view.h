// What every host publishes about itself on both channels (heartbeat packets
// and its statefile slot), so any host can rebuild any other host's view of
// the pool through either channel.
#pragma once

#include <array>
#include <cstdint>

#include "common/host_set.h"

namespace poolha::wire {

inline constexpr std::uint16_t kWireVersion = 1;

enum class Phase : std::uint8_t {
  kBooting = 0,    // reading the statefile to learn how to start
  kEmergency = 1,  // cannot reach the statefile at start; not armed, retries
  kJoining = 2,    // waiting to be admitted to the liveset
  kMember = 3,     // in the liveset, fencing armed
  kLeft = 4,       // left the liveset cleanly ("excluded"); disarmed
  kFenced = 5,     // fenced itself
  kDisabled = 6,   // HA disabled on this host; disarmed
};
inline constexpr std::uint8_t kPhaseCount = 7;

// Bits of View::flags.
enum ViewFlag : std::uint16_t {
  kFlagStorageAccess = 1u << 0,       // own statefile cycles succeed
  kFlagIsolationReachable = 1u << 1,  // reaches its isolation address
  kFlagSteady = 1u << 2,              // no peer is close to timing out on either channel
  kFlagLeaving = 1u << 3,             // asked to leave the liveset cleanly
  kFlagJoinRequest = 1u << 4,         // asks to be added to the liveset
  kFlagStatefileLost = 1u << 5,       // every live host lost the statefile
  kFlagNetworkLost = 1u << 6,         // every live host lost the management network
  kFlagMaster = 1u << 7,              // acts as pool master right now
  kFlagReform = 1u << 8,              // rebuilding the liveset after a whole-pool restart
};
inline constexpr std::uint16_t kKnownFlags = 0x1FF;

// A liveset: its epoch, its members with the incarnation (boot counter) each
// was admitted with, and the master it designates. Epochs only grow; at most
// one membership is ever committed per epoch (see docs/protocol.md).
struct Membership {
  std::uint64_t epoch = 0;
  HostSet members;
  HostIndex master = kNoHost;
  std::array<std::uint32_t, kMaxHosts> incarnation{};  // meaningful for members only

  bool contains(HostIndex h, std::uint32_t inc) const {
    return members.contains(h) && incarnation[h] == inc;
  }
  bool same_as(const Membership& o) const {
    if (epoch != o.epoch || members != o.members || master != o.master) return false;
    bool same = true;
    members.for_each([&](HostIndex h) { same = same && incarnation[h] == o.incarnation[h]; });
    return same;
  }
};

struct View {
  Phase phase = Phase::kBooting;
  std::uint16_t flags = 0;
  std::uint32_t weight = 1;
  Membership current;                 // the committed liveset this host works with
  std::uint64_t announced_epoch = 0;  // epoch of the liveset it reports outward
  HostSet hb_domain;                  // hosts it hears on the network, both ways
  HostSet sf_domain;                  // hosts whose slot it sees advancing
  bool has_proposal = false;
  bool proposal_committed = false;
  Membership proposal;  // the next liveset it proposes (epoch = current.epoch + 1)

  bool has(ViewFlag f) const { return (flags & f) != 0; }
};

// An echo of the newest send stamp received from one host: the ack a host's
// lease is built from. `incarnation` 0 means "nothing to echo".
struct Ack {
  std::uint32_t incarnation = 0;
  std::uint64_t stamp_us = 0;
  bool operator==(const Ack&) const = default;
};

}  // namespace poolha::wire
