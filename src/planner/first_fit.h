// First-fit decreasing: the planner's deterministic packing. Each VM, biggest
// first, goes to the lowest-index host that still has room for it. It is an
// "any-fit" packing (a VM is left out only when no host has room), which is
// what the any-fit bound (any_fit_bound.h) reasons about.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "planner/pool_shape.h"

namespace poolha::planner {

// VM indices by decreasing memory, ties by lowest index.
std::vector<std::uint32_t> decreasing_order(std::span<const Bytes> vm_memory);

// The lowest-index host whose remaining memory holds `size`, if any.
std::optional<std::uint32_t> first_fit_host(std::span<const Bytes> remaining, Bytes size);

// Packs `sizes` in the given order with first fit, taking each from
// `remaining`. Stops at the first size that fits nowhere and returns false.
bool first_fit_all(std::span<Bytes> remaining, std::span<const Bytes> sizes);

}  // namespace poolha::planner
