// The classes the API shows (pool, host, VM, SR), each described once by a
// field table: the record's fields as XenAPI names and types them, with how
// to read each from the pool database and the HA layer's live facts.
// get_record, get_all_records, the get_<field> getters and event snapshots
// are all generated from these tables.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/object_refs.h"
#include "api/pool_backend.h"
#include "common/check.h"
#include "pool/database.h"

namespace poolha::api {

// What a read sees: one database snapshot and the live facts beside it.
struct ReadContext {
  const pool::Database& database;
  const PoolBackend& backend;
};

template <typename Record>
struct RecordField {
  std::string name;  // the XenAPI field name
  std::function<nlohmann::json(const Record&, const ReadContext&)> read;
};

template <typename Record>
struct ClassDefinition {
  std::string api_name;    // "VM": method prefix and the class in HANDLE_INVALID
  std::string event_name;  // "vm": the class in events, lower case as in xapi
  bool has_get_by_name_label = true;
  std::function<std::vector<const Record*>(const pool::Database&)> all;  // in uuid order
  std::function<const Record*(const pool::Database&, std::string_view uuid)> find;
  std::vector<RecordField<Record>> fields;
};

class ObjectClass {
 public:
  struct Field {
    std::string name;
    // The object must exist (checked).
    std::function<nlohmann::json(const ReadContext&, std::string_view uuid)> read;
  };

  template <typename Record>
  explicit ObjectClass(ClassDefinition<Record> definition);

  const std::string& api_name() const { return api_name_; }
  const std::string& event_name() const { return event_name_; }
  bool has_get_by_name_label() const { return has_get_by_name_label_; }
  const std::vector<Field>& fields() const { return fields_; }

  std::vector<std::string> uuids(const pool::Database& database) const { return uuids_(database); }
  bool exists(const pool::Database& database, std::string_view uuid) const {
    return exists_(database, uuid);
  }
  // The whole record, keyed by field name. The object must exist (checked).
  nlohmann::json record(const ReadContext& context, std::string_view uuid) const;

 private:
  std::string api_name_;
  std::string event_name_;
  bool has_get_by_name_label_;
  std::function<std::vector<std::string>(const pool::Database&)> uuids_;
  std::function<bool(const pool::Database&, std::string_view)> exists_;
  std::vector<Field> fields_;
};

const ObjectClass& pool_class();
const ObjectClass& host_class();
const ObjectClass& vm_class();
const ObjectClass& sr_class();
// All four, in the order system.listMethods and valid_ref_counts use.
const std::vector<const ObjectClass*>& object_classes();
// By event name ("vm"); nullptr for any other name.
const ObjectClass* find_object_class_by_event_name(std::string_view event_name);
// By API name ("VM"); nullptr for any other name.
const ObjectClass* find_object_class_by_api_name(std::string_view api_name);

// Field value helpers shared by the tables.
nlohmann::json ref_list(const std::vector<std::string>& uuids);

template <typename Record>
ObjectClass::ObjectClass(ClassDefinition<Record> definition)
    : api_name_(std::move(definition.api_name)),
      event_name_(std::move(definition.event_name)),
      has_get_by_name_label_(definition.has_get_by_name_label) {
  auto all = definition.all;
  uuids_ = [all](const pool::Database& database) {
    std::vector<std::string> out;
    for (const Record* record : all(database)) out.push_back(record->uuid);
    return out;
  };
  auto find = definition.find;
  exists_ = [find](const pool::Database& database, std::string_view uuid) {
    return find(database, uuid) != nullptr;
  };
  for (RecordField<Record>& field : definition.fields) {
    auto read = std::move(field.read);
    fields_.push_back(Field{
        std::move(field.name), [find, read](const ReadContext& context, std::string_view uuid) {
          const Record* record = find(context.database, uuid);
          POOLHA_CHECK(record != nullptr, "reading a field of an object that does not exist");
          return read(*record, context);
        }});
  }
}

}  // namespace poolha::api
