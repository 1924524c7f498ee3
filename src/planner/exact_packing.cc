#include "planner/exact_packing.h"

#include <algorithm>
#include <functional>
#include <optional>

#include "common/check.h"

namespace poolha::planner {
namespace {

// Room on hosts that can still take at least the smallest VM; room elsewhere
// is wasted, so the VMs still to place must fit in this.
Bytes usable_room(std::span<const Bytes> remaining, Bytes smallest) {
  Bytes room = 0;
  for (Bytes r : remaining) {
    if (r >= smallest) room += r;
  }
  return room;
}

}  // namespace

// Hosts are tried from the tightest fit up, so the first descent is best fit
// decreasing. Three rules keep the search small without losing a placement:
//  - Hosts with equal remaining room are interchangeable for the VMs still to
//    place, so at each level only the lowest-index host of each room value is
//    tried (the "tried_room" floor: the next host tried must have more room).
//  - Equal-sized VMs are interchangeable, so a VM the same size as the
//    previous one only goes to that VM's host or a higher index. Together with
//    the first rule this stays complete: exchanging two equal-room hosts in
//    the rest of a placement, then reordering equal VMs, gives a placement
//    that obeys both rules.
//  - A node whose remaining VMs exceed the usable room is abandoned.
PackingSearch search_packing(std::span<const Bytes> capacity, std::span<const Bytes> sizes,
                             std::uint64_t& nodes_left, std::vector<std::uint32_t>& host_of) {
  POOLHA_CHECK(std::is_sorted(sizes.begin(), sizes.end(), std::greater<>()),
               "planner: search needs sizes biggest first");
  const std::size_t vm_count = sizes.size();
  const std::size_t host_count = capacity.size();
  host_of.assign(vm_count, 0);
  if (vm_count == 0) return PackingSearch::kFound;

  std::vector<Bytes> remaining(capacity.begin(), capacity.end());
  std::vector<Bytes> still_needed(vm_count + 1, 0);
  for (std::size_t i = vm_count; i-- > 0;) still_needed[i] = still_needed[i + 1] + sizes[i];
  const Bytes smallest = sizes.back();
  std::vector<Bytes> tried_room(vm_count, 0);

  std::size_t level = 0;
  bool fresh = true;  // entering `level` for the first time since its parent moved
  for (;;) {
    if (level == vm_count) return PackingSearch::kFound;
    bool dead_end = false;
    if (fresh) {
      if (nodes_left == 0) return PackingSearch::kOutOfBudget;
      --nodes_left;
      dead_end = usable_room(remaining, smallest) < still_needed[level];
    }
    std::optional<std::size_t> next;
    if (!dead_end) {
      const Bytes size = sizes[level];
      const bool same_as_previous = level > 0 && sizes[level - 1] == size;
      const std::size_t lowest = same_as_previous ? host_of[level - 1] : 0;
      for (std::size_t h = lowest; h < host_count; ++h) {
        const Bytes room = remaining[h];
        if (room < size || (!fresh && room <= tried_room[level])) continue;
        if (!next || room < remaining[*next]) next = h;
      }
    }
    if (next) {
      tried_room[level] = remaining[*next];
      remaining[*next] -= sizes[level];
      host_of[level] = static_cast<std::uint32_t>(*next);
      ++level;
      fresh = true;
      continue;
    }
    if (level == 0) return PackingSearch::kImpossible;
    --level;
    remaining[host_of[level]] += sizes[level];
    fresh = false;
  }
}

}  // namespace poolha::planner
