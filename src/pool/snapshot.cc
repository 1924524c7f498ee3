#include "pool/snapshot.h"

namespace poolha::pool {

const Snapshot* newest_snapshot(std::initializer_list<const Snapshot*> candidates) {
  const Snapshot* newest = nullptr;
  for (const Snapshot* candidate : candidates) {
    if (candidate != nullptr && (newest == nullptr || candidate->generation > newest->generation)) {
      newest = candidate;
    }
  }
  return newest;
}

}  // namespace poolha::pool
