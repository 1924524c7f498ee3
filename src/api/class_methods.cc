// The read methods every class has, generated from its field table: the
// same code serves pool, host, VM and SR.
#include "api/api_methods.h"
#include "api/object_class.h"
#include "api/xenapi_errors.h"

namespace poolha::api {
namespace {

using nlohmann::json;

void add_methods_of(MethodTable& table, const ObjectClass& cls, const PoolBackend& backend) {
  const std::string prefix = cls.api_name() + ".";
  const ParamSpec self{"self", ParamType::ref(cls), std::nullopt};

  table.add(MethodSpec{
      .name = prefix + "get_all",
      .params = {},
      .route = Route::kRead,
      .handler = [&cls](
                     const CheckedCall& call,
                     Reply reply) { reply(Outcome::success(ref_list(cls.uuids(*call.database)))); },
  });
  table.add(MethodSpec{
      .name = prefix + "get_all_records",
      .params = {},
      .route = Route::kRead,
      .handler =
          [&cls, &backend](const CheckedCall& call, Reply reply) {
            const ReadContext context{*call.database, backend};
            json records = json::object();
            for (const std::string& uuid : cls.uuids(*call.database)) {
              records[ref_of(uuid)] = cls.record(context, uuid);
            }
            reply(Outcome::success(std::move(records)));
          },
  });
  table.add(MethodSpec{
      .name = prefix + "get_record",
      .params = {self},
      .route = Route::kRead,
      .handler =
          [&cls, &backend](const CheckedCall& call, Reply reply) {
            reply(Outcome::success(cls.record({*call.database, backend}, call.text(0))));
          },
  });
  table.add(MethodSpec{
      .name = prefix + "get_by_uuid",
      .params = {{"uuid", ParamType::string(), std::nullopt}},
      .route = Route::kRead,
      .handler =
          [&cls](const CheckedCall& call, Reply reply) {
            const std::string& uuid = call.text(0);
            if (!cls.exists(*call.database, uuid)) throw errors::uuid_invalid(cls.api_name(), uuid);
            reply(Outcome::success(ref_of(uuid)));
          },
  });
  if (cls.has_get_by_name_label()) {
    table.add(MethodSpec{
        .name = prefix + "get_by_name_label",
        .params = {{"label", ParamType::string(), std::nullopt}},
        .route = Route::kRead,
        .handler =
            [&cls, &backend](const CheckedCall& call, Reply reply) {
              const ReadContext context{*call.database, backend};
              const ObjectClass::Field* name_label = nullptr;
              for (const ObjectClass::Field& field : cls.fields()) {
                if (field.name == "name_label") name_label = &field;
              }
              POOLHA_CHECK(name_label != nullptr, "a class looked up by name_label has none");
              json refs = json::array();
              for (const std::string& uuid : cls.uuids(*call.database)) {
                if (name_label->read(context, uuid) == call.text(0)) refs.push_back(ref_of(uuid));
              }
              reply(Outcome::success(std::move(refs)));
            },
    });
  }
  for (const ObjectClass::Field& field : cls.fields()) {
    table.add(MethodSpec{
        .name = prefix + "get_" + field.name,
        .params = {self},
        .route = Route::kRead,
        .handler =
            [&field, &backend](const CheckedCall& call, Reply reply) {
              reply(Outcome::success(field.read({*call.database, backend}, call.text(0))));
            },
    });
  }
}

}  // namespace

void add_class_methods(MethodTable& table, const PoolBackend& backend) {
  for (const ObjectClass* cls : object_classes()) add_methods_of(table, *cls, backend);
}

}  // namespace poolha::api
