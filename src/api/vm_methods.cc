// VM.*: starts, shutdowns and the HA settings of a VM. Values are checked as
// xapi checks them (including its wording for order and start_delay).
#include <string>

#include "api/api_methods.h"
#include "api/object_class.h"
#include "api/xenapi_errors.h"
#include "pool/field_rules.h"
#include "pool/restart_priority.h"

namespace poolha::api {

void add_vm_methods(MethodTable& table, PoolBackend& backend) {
  const ParamSpec vm{"vm", ParamType::ref(vm_class()), std::nullopt};
  const ParamSpec self{"self", ParamType::ref(vm_class()), std::nullopt};
  const ParamSpec start_paused{"start_paused", ParamType::boolean(), std::nullopt};
  const ParamSpec force{"force", ParamType::boolean(), std::nullopt};

  table.add(MethodSpec{
      .name = "VM.start",
      .params = {vm, start_paused, force},
      .route = Route::kMutation,
      .handler =
          [&backend](const CheckedCall& call, Reply reply) {
            backend.start_vm(StartVmRequest{call.text(0), std::nullopt, call.flag(1), call.flag(2)},
                             std::move(reply));
          },
  });
  table.add(MethodSpec{
      .name = "VM.start_on",
      .params = {vm, {"host", ParamType::ref(host_class()), std::nullopt}, start_paused, force},
      .route = Route::kMutation,
      .handler =
          [&backend](const CheckedCall& call, Reply reply) {
            backend.start_vm(StartVmRequest{call.text(0), call.text(1), call.flag(2), call.flag(3)},
                             std::move(reply));
          },
  });
  table.add(MethodSpec{
      .name = "VM.clean_shutdown",
      .params = {vm},
      .route = Route::kMutation,
      .handler = [&backend](
                     const CheckedCall& call,
                     Reply reply) { backend.clean_shutdown_vm(call.text(0), std::move(reply)); },
  });
  table.add(MethodSpec{
      .name = "VM.hard_shutdown",
      .params = {vm},
      .route = Route::kMutation,
      .handler = [&backend](
                     const CheckedCall& call,
                     Reply reply) { backend.hard_shutdown_vm(call.text(0), std::move(reply)); },
  });
  table.add(MethodSpec{
      .name = "VM.set_ha_restart_priority",
      .params = {self, {"value", ParamType::string(), std::nullopt}},
      .route = Route::kMutation,
      .handler =
          [&backend](const CheckedCall& call, Reply reply) {
            const auto priority = pool::parse_restart_priority(call.text(1));
            if (!priority) throw errors::invalid_value("ha_restart_priority", call.text(1));
            backend.set_vm_ha_restart_priority(call.text(0), *priority, std::move(reply));
          },
  });
  table.add(MethodSpec{
      .name = "VM.set_order",
      .params = {self, {"value", ParamType::integer(), std::nullopt}},
      .route = Route::kMutation,
      .handler =
          [&backend](const CheckedCall& call, Reply reply) {
            const std::int64_t order = call.integer(1);
            if (order < 0) {
              throw errors::invalid_value("order must be non-negative", std::to_string(order));
            }
            backend.set_vm_order(call.text(0), order, std::move(reply));
          },
  });
  table.add(MethodSpec{
      .name = "VM.set_start_delay",
      .params = {self, {"value", ParamType::integer(), std::nullopt}},
      .route = Route::kMutation,
      .handler =
          [&backend](const CheckedCall& call, Reply reply) {
            const std::int64_t delay = call.integer(1);
            if (delay < 0) {
              throw errors::invalid_value("start_delay must be non-negative",
                                          std::to_string(delay));
            }
            if (delay > pool::kMaxStartDelaySeconds) {
              throw errors::invalid_value("start_delay", std::to_string(delay));
            }
            backend.set_vm_start_delay(call.text(0), delay, std::move(reply));
          },
  });
}

}  // namespace poolha::api
