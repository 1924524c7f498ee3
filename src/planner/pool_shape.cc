#include "planner/pool_shape.h"

#include "common/check.h"

namespace poolha::planner {

void check_total_memory(std::span<const Bytes> amounts) {
  Bytes total = 0;
  for (Bytes amount : amounts) {
    POOLHA_CHECK(amount < kMaxTotalMemory - total, "planner: total memory too large");
    total += amount;
  }
}

void check_pool_shape(const PoolShape& shape) {
  check_total_memory(shape.host_free);
  Bytes total_vm = 0;
  for (const ProtectedVm& vm : shape.vms) {
    POOLHA_CHECK(vm.host < shape.host_free.size(), "planner: VM on an unknown host");
    POOLHA_CHECK(vm.memory > 0, "planner: a VM needs some memory");
    POOLHA_CHECK(vm.memory < kMaxTotalMemory - total_vm, "planner: total VM memory too large");
    total_vm += vm.memory;
  }
}

}  // namespace poolha::planner
