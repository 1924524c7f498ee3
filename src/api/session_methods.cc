// session.*: these run on whichever host receives them. A slave logs its
// own users in; session.slave_login is the master's side of forwarding.
#include "api/api_methods.h"
#include "api/object_class.h"

namespace poolha::api {

void add_session_methods(MethodTable& table, SessionTable& sessions, EventService& events,
                         const ApiClocks& clocks) {
  table.add(MethodSpec{
      .name = "session.login_with_password",
      .takes_session = false,
      .params = {{"uname", ParamType::string(), std::nullopt},
                 {"pwd", ParamType::string(), std::nullopt},
                 {"version", ParamType::string(), nlohmann::json("")},
                 {"originator", ParamType::string(), nlohmann::json("")}},
      .route = Route::kLocal,
      .handler =
          [&sessions, &clocks](const CheckedCall& call, Reply reply) {
            reply(Outcome::success(
                sessions.login(call.text(0), call.text(1), call.text(3), clocks.monotonic())));
          },
  });
  table.add(MethodSpec{
      .name = "session.slave_login",
      .takes_session = false,
      .params = {{"host", ParamType::ref(host_class()), std::nullopt},
                 {"psecret", ParamType::string(), std::nullopt}},
      .route = Route::kLocal,
      .handler =
          [&sessions, &clocks](const CheckedCall& call, Reply reply) {
            reply(Outcome::success(
                sessions.slave_login(call.text(0), call.text(1), clocks.monotonic())));
          },
  });
  table.add(MethodSpec{
      .name = "session.logout",
      .takes_session = true,
      .params = {},
      .route = Route::kLocal,
      .handler =
          [&sessions, &events](const CheckedCall& call, Reply reply) {
            sessions.logout(call.session_ref);
            events.end_session(call.session_ref);
            reply(Outcome::done());
          },
  });
}

}  // namespace poolha::api
