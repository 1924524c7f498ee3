// XenAPI errors as xe prints them: the error's description, then one
// "<parameter name>: <value>" line per parameter, references shown as
// "uuid (name)" where known. Codes without a description are printed
// generically as "Error code: <code>" and "Error parameters: <p1>, <p2>".
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace poolha::xe {

// `describe` turns a parameter (possibly a reference) into printable text.
std::vector<std::string> xenapi_error_lines(
    const std::vector<std::string>& description,
    const std::function<std::string(const std::string&)>& describe);

}  // namespace poolha::xe
