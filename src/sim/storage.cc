#include "sim/storage.h"

#include <algorithm>
#include <span>

namespace poolha::sim {

std::size_t torn_length(std::span<const std::uint8_t> bytes) {
  // Regions are zero padded to whole 4 KiB blocks; half of a padded write
  // would often still hold the whole record and damage nothing.
  std::size_t meaningful = bytes.size();
  while (meaningful > 0 && bytes[meaningful - 1] == 0) --meaningful;
  return meaningful == 0 ? bytes.size() / 2 : meaningful / 2;
}

std::string_view to_string(PathState s) {
  switch (s) {
    case PathState::kUp:
      return "up";
    case PathState::kDown:
      return "down";
    case PathState::kPaused:
      return "paused";
    case PathState::kError:
      return "error";
  }
  return "?";
}

Storage::Storage(std::uint16_t host_count, StorageLatency defaults)
    : statefile_(host_count), hosts_(host_count) {
  for (auto& h : hosts_) h.latency = defaults;
}

Dispatch Storage::dispatch(HostIndex h, PendingOp& op, Prng& prng, bool fail_now) {
  op.ticket = next_ticket_++;
  op.in_flight = true;
  if (fail_now) {
    op.doomed = true;
    return Dispatch{h, op.ticket, Duration::zero()};
  }
  const StorageLatency& l = hosts_[h].latency;
  std::int64_t after = l.latency.count();
  if (l.jitter.count() > 0) after += prng.between(-l.jitter.count(), l.jitter.count());
  return Dispatch{h, op.ticket, Duration(std::max<std::int64_t>(after, 0))};
}

std::optional<Dispatch> Storage::submit(HostIndex h, ha::StorageOp op, Prng& prng) {
  HostPath& host = hosts_[h];
  host.ops.push_back(PendingOp{std::move(op), 0, false, false});
  PendingOp& pending = host.ops.back();
  switch (host.path) {
    case PathState::kUp:
      return dispatch(h, pending, prng, false);
    case PathState::kError:
      return dispatch(h, pending, prng, true);
    case PathState::kDown:
      pending.doomed = true;
      return std::nullopt;
    case PathState::kPaused:
      return std::nullopt;
  }
  return std::nullopt;
}

void Storage::apply_write(const ha::StorageOp& op, std::size_t length) {
  statefile_.write(op.offset, std::span<const std::uint8_t>(op.bytes).first(length));
}

std::optional<StorageCompletion> Storage::complete(HostIndex h, std::uint64_t ticket) {
  HostPath& host = hosts_[h];
  auto it = std::find_if(host.ops.begin(), host.ops.end(),
                         [&](const PendingOp& p) { return p.in_flight && p.ticket == ticket; });
  if (it == host.ops.end()) return std::nullopt;
  PendingOp done = std::move(*it);
  host.ops.erase(it);

  StorageCompletion c;
  c.op_id = done.op.id;
  c.kind = done.op.kind;
  c.ok = !done.doomed;
  if (!c.ok) return c;
  if (done.op.kind == ha::StorageOp::Kind::kWrite) {
    std::size_t length = done.op.bytes.size();
    if (host.tear_next_write) {
      host.tear_next_write = false;
      length = torn_length(done.op.bytes);
      c.torn = true;
    }
    // An out-of-range write is the engine's bug; report it as an I/O error.
    if (done.op.offset > statefile_.bytes().size() ||
        done.op.bytes.size() > statefile_.bytes().size() - done.op.offset) {
      c.ok = false;
      return c;
    }
    apply_write(done.op, length);
  } else {
    c.image = statefile_.snapshot();
  }
  return c;
}

std::vector<Dispatch> Storage::set_path(HostIndex h, PathState state, Prng& prng) {
  HostPath& host = hosts_[h];
  std::vector<Dispatch> released;
  host.path = state;
  for (PendingOp& op : host.ops) {
    switch (state) {
      case PathState::kDown:
        // Whatever was under way hangs now, and is lost for good.
        op.in_flight = false;
        op.ticket = 0;
        op.doomed = true;
        break;
      case PathState::kPaused:
        op.in_flight = false;
        op.ticket = 0;
        break;
      case PathState::kError:
        released.push_back(dispatch(h, op, prng, true));
        break;
      case PathState::kUp:
        if (!op.in_flight) released.push_back(dispatch(h, op, prng, op.doomed));
        break;
    }
  }
  return released;
}

bool Storage::crash(HostIndex h) {
  HostPath& host = hosts_[h];
  bool torn = false;
  for (const PendingOp& op : host.ops) {
    // Only a write that is travelling on a live path has reached the array.
    if (op.in_flight && !op.doomed && op.op.kind == ha::StorageOp::Kind::kWrite &&
        op.op.offset <= statefile_.bytes().size() &&
        op.op.bytes.size() <= statefile_.bytes().size() - op.op.offset) {
      apply_write(op.op, torn_length(op.op.bytes));
      torn = true;
    }
  }
  host.ops.clear();
  return torn;
}

}  // namespace poolha::sim
