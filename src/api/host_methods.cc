// host.*: maintenance (disable, enable, evacuate) runs on the master; the
// emergency calls run on the host that receives them, because they are how
// an operator rescues a host that has lost the pool.
#include "api/api_methods.h"
#include "api/object_class.h"
#include "api/xenapi_errors.h"

#include <fmt/format.h>

namespace poolha::api {

void add_host_methods(MethodTable& table, PoolBackend& backend) {
  const ParamSpec host{"host", ParamType::ref(host_class()), std::nullopt};

  table.add(MethodSpec{
      .name = "host.disable",
      .params = {host},
      .route = Route::kMutation,
      .handler = [&backend](const CheckedCall& call,
                            Reply reply) { backend.disable_host(call.text(0), std::move(reply)); },
  });
  table.add(MethodSpec{
      .name = "host.enable",
      .params = {host},
      .route = Route::kMutation,
      .handler = [&backend](const CheckedCall& call,
                            Reply reply) { backend.enable_host(call.text(0), std::move(reply)); },
  });
  table.add(MethodSpec{
      .name = "host.evacuate",
      .params = {host},
      .route = Route::kMutation,
      .handler = [&backend](const CheckedCall& call,
                            Reply reply) { backend.evacuate_host(call.text(0), std::move(reply)); },
  });
  table.add(MethodSpec{
      .name = "host.emergency_ha_disable",
      .params = {{"soft", ParamType::boolean(), nlohmann::json(false)}},
      .route = Route::kLocal,
      .handler = [&backend](
                     const CheckedCall& call,
                     Reply reply) { backend.emergency_ha_disable(call.flag(0), std::move(reply)); },
  });
  table.add(MethodSpec{
      .name = "host.ha_disarm_fencing",
      .params = {host},
      .route = Route::kLocal,
      .handler =
          [&backend](const CheckedCall& call, Reply reply) {
            const HostRole role = backend.role();
            if (call.text(0) != role.local_host_uuid) {
              throw errors::operation_not_allowed(fmt::format(
                  "host.ha_disarm_fencing disarms the host that receives the call; send it to "
                  "host {} itself",
                  call.text(0)));
            }
            backend.ha_disarm_fencing(std::move(reply));
          },
  });
}

}  // namespace poolha::api
