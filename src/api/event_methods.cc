// event.from and event.inject, served by the EventService. They follow the
// read rule: a slave that serves reads answers them from its own event log.
#include "api/api_methods.h"

namespace poolha::api {

void add_event_methods(MethodTable& table, EventService& events) {
  table.add(MethodSpec{
      .name = "event.from",
      .params = {{"classes", ParamType::string_set(), std::nullopt},
                 {"token", ParamType::string(), std::nullopt},
                 {"timeout", ParamType::number(), std::nullopt}},
      .route = Route::kRead,
      .handler = [&events](const CheckedCall& call,
                           Reply reply) { events.from(call, std::move(reply)); },
  });
  table.add(MethodSpec{
      .name = "event.inject",
      .params = {{"class", ParamType::string(), std::nullopt},
                 {"ref", ParamType::string(), std::nullopt}},
      .route = Route::kRead,
      .handler = [&events](const CheckedCall& call,
                           Reply reply) { events.inject(call, std::move(reply)); },
  });
}

}  // namespace poolha::api
