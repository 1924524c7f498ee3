#include "pool/change.h"

namespace poolha::pool {
namespace {

struct OperationName {
  std::string_view operator()(const UpsertHost&) const { return "upsert_host"; }
  std::string_view operator()(const RemoveHost&) const { return "remove_host"; }
  std::string_view operator()(const UpsertSr&) const { return "upsert_sr"; }
  std::string_view operator()(const RemoveSr&) const { return "remove_sr"; }
  std::string_view operator()(const UpsertVm&) const { return "upsert_vm"; }
  std::string_view operator()(const RemoveVm&) const { return "remove_vm"; }
  std::string_view operator()(const SetPoolFields&) const { return "set_pool"; }
};

}  // namespace

std::string_view operation_name(const Change& change) {
  return std::visit(OperationName{}, change);
}

}  // namespace poolha::pool
