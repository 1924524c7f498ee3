// The object classes xe shows (pool, host, VM, SR): for each field its xe
// name, its XenAPI record field, how its value is printed, its access marker
// and, for writable fields, the XenAPI setter. Field order is the order in
// which xe prints a record. A field the server's record does not carry is
// left out of the output rather than printed with an invented value.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace poolha::xe {

enum class ValueKind {
  kString,
  kBool,
  kInt,
  kPowerState,  // XenAPI "Running"; xe prints "running"
  kRef,         // a reference, printed as the uuid of the object it names
  kRefSet,      // references, printed as uuids joined by "; "
  kStringMap,   // printed "key: value; key: value"
  kStringSet,   // printed joined by "; "
};

// The marker xe prints after a field name: ( RO), ( RW), (MRO), (MRW), (SRO), (SRW).
enum class Access {
  kReadOnly,
  kReadWrite,
  kMapReadOnly,
  kMapReadWrite,
  kSetReadOnly,
  kSetReadWrite
};

struct FieldSpec {
  std::string_view name;      // xe's name, e.g. "ha-restart-priority"
  std::string_view api_name;  // the XenAPI record field, e.g. "ha_restart_priority"
  ValueKind kind;
  Access access;
  std::string_view ref_class = {};  // the XenAPI class a kRef/kRefSet field points to
  std::string_view setter = {};     // the XenAPI method that writes the field
  bool deprecated = false;          // xe marks the label " [DEPRECATED]"
};

struct ClassSpec {
  std::string_view name;       // xe's prefix: "pool", "host", "vm", "sr"
  std::string_view api_class;  // XenAPI class: "pool", "host", "VM", "SR"
  std::vector<FieldSpec> fields;
  std::vector<std::string_view> list_fields;  // what <class>-list shows without params=
};

const ClassSpec& pool_class();
const ClassSpec& host_class();
const ClassSpec& vm_class();
const ClassSpec& sr_class();
const std::vector<const ClassSpec*>& all_classes();

const FieldSpec* find_field(const ClassSpec& spec, std::string_view name);
// The label xe prints for a field: "uuid ( RO)", "ha-always-run ( RW) [DEPRECATED]".
std::string field_label(const FieldSpec& field);
bool is_writable(const FieldSpec& field);

}  // namespace poolha::xe
