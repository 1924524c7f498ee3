// How the fields of a XenAPI record are shown, selected and matched by xe:
// the printed value of a field, the fields chosen with params=, and the
// key=value filters of list commands and object selectors.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "xe/api_client.h"
#include "xe/class_schema.h"
#include "xe/params.h"
#include "xe/printer.h"

namespace poolha::xe {

// What xe prints for a reference that names no object.
inline constexpr std::string_view kNotInDatabase = "<not in database>";

// The printed value of `field` in `record`; nullopt when the server's record
// does not carry the field. Reference fields may load the records of the
// class they point to through `api`.
std::optional<std::string> field_text(const FieldSpec& field, const ObjectRecord& record,
                                      ApiClient& api);

// The fields params= asks for, in the class's field order: `requested` is the
// value of params= ("all", or names separated by commas), or nullopt for the
// given defaults. Throws CliFailure for a name the class does not have.
std::vector<const FieldSpec*> select_fields(const ClassSpec& spec,
                                            const std::optional<std::string>& requested,
                                            const std::vector<std::string_view>& defaults);

// The printed lines of the chosen fields of `record`.
RecordLines record_lines(const std::vector<const FieldSpec*>& fields, const ObjectRecord& record,
                         ApiClient& api);

// The records matching every filter. A filter key is a field name (its
// printed value must equal the filter's value; power-state ignores letter
// case), "<map field>:<key>" (that entry must equal the value) or
// "<set field>:contains" (the set must hold the value). Throws CliFailure
// naming an unknown field.
std::vector<ObjectRecord> filter_records(const ClassSpec& spec, std::vector<ObjectRecord> records,
                                         const std::vector<Param>& filters, ApiClient& api);

// Checks that `key` is a valid filter on the class, throwing CliFailure if not.
void check_filter_key(const ClassSpec& spec, const std::string& key);

}  // namespace poolha::xe
