// The survivor rule: from the views every host published in the statefile,
// which hosts should form the next liveset. Pure and deterministic, so every
// host that reads the same statefile computes the same proposal; agreement is
// then confirmed through the statefile before anyone acts (engine.cc).
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "wire/view.h"

namespace poolha::ha {

// One host as the deciding host sees it in the statefile.
struct HostRow {
  bool fresh = false;             // its slot advanced within peer_timeout
  std::uint32_t incarnation = 0;  // incarnation that wrote the slot
  wire::View view;                // its published view (meaningful when fresh)
};

enum class DecideMode {
  kRunning,  // a liveset exists: remove failed hosts, admit joiners, hand over
  kReform,   // no host of the latest liveset is running: form one from booting hosts
};

struct DecideInput {
  DecideMode mode = DecideMode::kRunning;
  std::uint16_t host_count = 0;
  // kRunning: the committed liveset. kReform: the latest liveset found in the
  // statefile (its incarnations are dead); epoch 0 and no members at HA enable.
  const wire::Membership* current = nullptr;
  std::span<const HostRow> rows;           // host_count entries
  std::span<const std::uint32_t> weights;  // host_count entries
  bool require_all = false;                // HA enable: only all hosts together may form
};

struct Decision {
  enum class Kind {
    kNoChange,  // the liveset stays as it is
    kWait,      // views are not steady or not complete yet: decide later
    kPropose,   // `proposal` should be the next liveset
  };
  Kind kind = Kind::kWait;
  wire::Membership proposal;
  bool network_lost = false;  // no candidate reaches the network: all kept on the statefile
  std::string why;
};

Decision decide_liveset(const DecideInput& in);

}  // namespace poolha::ha
