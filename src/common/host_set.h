// A set of hosts of one pool, addressed by HostIndex: the host's position in
// the pool's host list sorted by UUID. Pools hold at most kMaxHosts hosts.
#pragma once

#include <bitset>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>

namespace poolha {

inline constexpr std::size_t kMaxHosts = 256;
using HostIndex = std::uint16_t;
inline constexpr HostIndex kNoHost = 0xFFFF;

class HostSet {
 public:
  HostSet() = default;
  HostSet(std::initializer_list<HostIndex> hosts) {
    for (HostIndex h : hosts) insert(h);
  }
  // {0, 1, ..., n-1}
  static HostSet first_n(std::size_t n) {
    HostSet s;
    for (std::size_t i = 0; i < n; ++i) s.bits_.set(i);
    return s;
  }

  void insert(HostIndex h) { bits_.set(h); }
  void erase(HostIndex h) { bits_.reset(h); }
  void clear() { bits_.reset(); }
  bool contains(HostIndex h) const { return h < kMaxHosts && bits_.test(h); }
  std::size_t size() const { return bits_.count(); }
  bool empty() const { return bits_.none(); }
  bool is_subset_of(const HostSet& other) const { return (bits_ & ~other.bits_).none(); }
  // The lowest index in the set, or kNoHost when empty.
  HostIndex lowest() const {
    for (std::size_t i = 0; i < kMaxHosts; ++i)
      if (bits_.test(i)) return static_cast<HostIndex>(i);
    return kNoHost;
  }

  HostSet operator&(const HostSet& o) const { return HostSet(bits_ & o.bits_); }
  HostSet operator|(const HostSet& o) const { return HostSet(bits_ | o.bits_); }
  HostSet operator-(const HostSet& o) const { return HostSet(bits_ & ~o.bits_); }
  bool operator==(const HostSet& o) const = default;

  template <typename F>
  void for_each(F&& f) const {
    for (std::size_t i = bits_._Find_first(); i < kMaxHosts; i = bits_._Find_next(i))
      f(static_cast<HostIndex>(i));
  }

  // "{0,2,5}" — used in logs and the simulator timeline.
  std::string to_string() const {
    std::string out = "{";
    bool first = true;
    for_each([&](HostIndex h) {
      if (!first) out += ",";
      out += std::to_string(h);
      first = false;
    });
    return out + "}";
  }

 private:
  explicit HostSet(std::bitset<kMaxHosts> b) : bits_(b) {}
  std::bitset<kMaxHosts> bits_;
};

}  // namespace poolha
