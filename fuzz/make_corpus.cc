// Writes valid encodings as fuzz seeds:
//   <dir>/heartbeat/*  packets signed with the fuzz secret
//   <dir>/statefile/*  one byte (host_count - 1), then a global section, a
//                      slot or a whole statefile image
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "fuzz_support.h"
#include "wire/heartbeat.h"
#include "wire/statefile.h"

namespace {

using namespace poolha;
using namespace poolha::wire;
using Bytes = std::vector<std::uint8_t>;

// `fill` 0: nobody; 1: some hosts; 2: every host.
Membership membership(std::uint16_t n, std::uint64_t epoch, int fill) {
  Membership m;
  m.epoch = epoch;
  for (HostIndex h = 0; h < n; ++h) {
    if (fill == 2 || (fill == 1 && h % 3 != 1)) {
      m.members.insert(h);
      m.incarnation[h] = 100u + h;
    }
  }
  m.master = m.members.empty() ? kNoHost : m.members.lowest();
  return m;
}

View view(std::uint16_t n, int fill) {
  View v;
  if (fill == 0) return v;
  v.phase = fill == 1 ? Phase::kJoining : Phase::kMember;
  v.flags = fill == 1 ? kFlagJoinRequest : kKnownFlags;
  v.weight = 3;
  v.current = membership(n, 5, fill);
  v.announced_epoch = 5;
  v.hb_domain = HostSet::first_n(n);
  v.sf_domain = v.current.members;
  v.has_proposal = true;
  v.proposal_committed = fill == 2;
  v.proposal = membership(n, 6, fill);
  return v;
}

GlobalSection global(std::uint16_t n) {
  GlobalSection g;
  g.generation = 1;
  g.pool_state = PoolState::kActive;
  g.host_count = n;
  g.base_timeout_ms = 30000;
  g.master = 0;
  g.master_incarnation = 100;
  g.master_epoch = 5;
  for (std::uint16_t h = 0; h < n; ++h) {
    Uuid u{};
    u[0] = static_cast<std::uint8_t>(h >> 8);
    u[1] = static_cast<std::uint8_t>(h);
    g.host_uuids.push_back(u);
  }
  return g;
}

HostSlot slot(std::uint16_t n, HostIndex h, std::uint64_t sequence, int fill) {
  HostSlot s;
  s.generation = 1;
  s.host_count = n;
  s.host = h;
  s.incarnation = 100u + h;
  s.sequence = sequence;
  s.stamp_us = 1000 * sequence;
  s.view = view(n, fill);
  s.acks.resize(n);
  for (HostIndex i = 0; i < n; ++i)
    if (fill != 0) s.acks[i] = {100u + i, 990 * sequence};
  return s;
}

Bytes image(std::uint16_t n) {
  const StatefileLayout l = layout_for(n);
  Bytes out(l.total_size(), 0);
  auto put = [&](std::size_t at, const Bytes& b) {
    std::copy(b.begin(), b.end(), out.begin() + static_cast<std::ptrdiff_t>(at));
  };
  put(0, encode_global(global(n)));
  for (HostIndex h = 0; h < n; ++h) {
    const std::uint64_t seq = 10u + h;
    put(l.slot_offset(h, slot_copy_for(seq)), encode_slot(slot(n, h, seq, 1)));
    put(l.slot_offset(h, slot_copy_for(seq - 1)), encode_slot(slot(n, h, seq - 1, 2)));
  }
  return out;
}

bool write(const std::filesystem::path& path, const Bytes& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(f);
}

// The host-count byte, then `body`, cut to its declared length when `trim`: a lone
// region decodes without its zero padding, which mutations would only waste
// time on.
Bytes with_host_count(std::uint16_t n, const Bytes& body, bool trim = false) {
  const std::size_t length = trim ? fuzz::load_u32(body.data() + fuzz::kLengthAt) : body.size();
  Bytes out;
  out.reserve(length + 1);
  out.push_back(static_cast<std::uint8_t>(n - 1));
  out.insert(out.end(), body.begin(), body.begin() + static_cast<std::ptrdiff_t>(length));
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <corpus-dir>\n", argv[0]);
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  const std::filesystem::path hb = dir / "heartbeat", sf = dir / "statefile";
  std::filesystem::create_directories(hb);
  std::filesystem::create_directories(sf);

  bool ok = true;
  int count = 0;
  for (std::uint16_t n : {2, 3, 9, 64, 256}) {
    for (int fill = 0; fill < 3; ++fill) {
      HeartbeatPacket p;
      p.generation = 1;
      p.host_count = n;
      p.sender = static_cast<HostIndex>(n - 1);
      p.recipient = 0;
      p.incarnation = 100u + p.sender;
      p.sequence = 42;
      p.stamp_us = 4200;
      p.echo = {100, 4100};
      p.view = view(n, fill);
      const std::string tag = std::to_string(n) + "_" + std::to_string(fill);
      ok &= write(hb / ("hb_" + tag), encode_heartbeat(p, fuzz::kSecret));
      ok &= write(sf / ("slot_" + tag), with_host_count(n, encode_slot(slot(n, 0, 7, fill)), true));
      count += 2;
    }
    ok &= write(sf / ("global_" + std::to_string(n)),
                with_host_count(n, encode_global(global(n)), true));
    ++count;
  }
  for (std::uint16_t n : {1, 2, 3}) {
    ok &= write(sf / ("image_" + std::to_string(n)), with_host_count(n, image(n)));
    ++count;
  }
  if (!ok) {
    std::fprintf(stderr, "cannot write the corpus under %s\n", dir.c_str());
    return 1;
  }
  std::printf("%d seeds written under %s\n", count, dir.c_str());
  return 0;
}
