// A priority queue of timed events. Events are popped in (time, insertion
// order): two events at the same instant come out in the order they were
// pushed, so a run never depends on heap internals.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "sim/virtual_time.h"

namespace poolha::sim {

template <typename Payload>
class EventQueue {
 public:
  struct Entry {
    VirtualTime time;
    std::uint64_t sequence;
    Payload payload;
  };

  void push(VirtualTime time, Payload payload) {
    heap_.push_back(Entry{time, next_sequence_++, std::move(payload)});
    std::push_heap(heap_.begin(), heap_.end(), Later{});
  }

  bool empty() const { return heap_.empty(); }
  std::size_t size() const { return heap_.size(); }
  // Time of the next event; only valid when !empty().
  VirtualTime next_time() const { return heap_.front().time; }

  std::optional<Entry> pop() {
    if (heap_.empty()) return std::nullopt;
    std::pop_heap(heap_.begin(), heap_.end(), Later{});
    Entry entry = std::move(heap_.back());
    heap_.pop_back();
    return entry;
  }

 private:
  // std::*_heap builds a max-heap; "later" as "less" puts the earliest on top.
  struct Later {
    bool operator()(const Entry& a, const Entry& b) const {
      if (a.time != b.time) return a.time > b.time;
      return a.sequence > b.sequence;
    }
  };

  std::vector<Entry> heap_;
  std::uint64_t next_sequence_ = 0;
};

}  // namespace poolha::sim
