// system.listMethods: every method name this server answers, no session
// needed (as xapi).
#include "api/api_methods.h"

namespace poolha::api {

void add_system_methods(MethodTable& table) {
  table.add(MethodSpec{
      .name = "system.listMethods",
      .takes_session = false,
      .params = {},
      .route = Route::kLocal,
      .handler = [&table](const CheckedCall&,
                          Reply reply) { reply(Outcome::success(table.names())); },
  });
}

}  // namespace poolha::api
