// pool.*: HA on and off, the failures-to-tolerate target, overcommit, and
// the planner's answers. Values are checked here, before the backend is
// asked; the state of the pool is the backend's to check.
#include <string>

#include "api/api_methods.h"
#include "api/object_class.h"
#include "api/xenapi_errors.h"
#include "common/host_set.h"
#include "pool/field_rules.h"
#include "pool/pool_record.h"

namespace poolha::api {

void add_pool_methods(MethodTable& table, PoolBackend& backend) {
  const ParamSpec self{"self", ParamType::ref(pool_class()), std::nullopt};

  table.add(MethodSpec{
      .name = "pool.enable_ha",
      .params = {{"heartbeat_srs", ParamType::ref_set(sr_class()), std::nullopt},
                 {"configuration", ParamType::string_map(), std::nullopt}},
      .route = Route::kMutation,
      .handler =
          [&backend](const CheckedCall& call, Reply reply) {
            EnableHaRequest request{call.list(0), call.map(1)};
            const auto timeout = request.configuration.find(pool::kHaConfigTimeoutKey);
            if (timeout != request.configuration.end() &&
                !pool::parse_ha_timeout(timeout->second).ok()) {
              throw errors::invalid_value(pool::kHaConfigTimeoutKey, timeout->second);
            }
            backend.enable_ha(std::move(request), std::move(reply));
          },
  });
  table.add(MethodSpec{
      .name = "pool.disable_ha",
      .params = {},
      .route = Route::kMutation,
      .handler = [&backend](const CheckedCall&,
                            Reply reply) { backend.disable_ha(std::move(reply)); },
  });
  table.add(MethodSpec{
      .name = "pool.set_ha_host_failures_to_tolerate",
      .params = {self, {"value", ParamType::integer(), std::nullopt}},
      .route = Route::kMutation,
      .handler =
          [&backend](const CheckedCall& call, Reply reply) {
            const std::int64_t value = call.integer(1);
            if (value < 0 || value > static_cast<std::int64_t>(kMaxHosts)) {
              throw errors::invalid_value("ha_host_failures_to_tolerate", std::to_string(value));
            }
            backend.set_ha_host_failures_to_tolerate(value, std::move(reply));
          },
  });
  table.add(MethodSpec{
      .name = "pool.set_ha_allow_overcommit",
      .params = {self, {"value", ParamType::boolean(), std::nullopt}},
      .route = Route::kMutation,
      .handler =
          [&backend](const CheckedCall& call, Reply reply) {
            backend.set_ha_allow_overcommit(call.flag(1), std::move(reply));
          },
  });
  table.add(MethodSpec{
      .name = "pool.ha_compute_max_host_failures_to_tolerate",
      .params = {},
      .route = Route::kRead,
      .handler =
          [&backend](const CheckedCall&, Reply reply) {
            reply(Outcome::success(backend.max_host_failures_to_tolerate()));
          },
  });
  table.add(MethodSpec{
      .name = "pool.ha_failover_plan_exists",
      .params = {{"n", ParamType::integer(), std::nullopt}},
      .route = Route::kRead,
      .handler =
          [&backend](const CheckedCall& call, Reply reply) {
            const std::int64_t n = call.integer(0);
            if (n < 0) throw errors::invalid_value("n", std::to_string(n));
            reply(Outcome::success(backend.failover_plan_exists(n)));
          },
  });
}

}  // namespace poolha::api
