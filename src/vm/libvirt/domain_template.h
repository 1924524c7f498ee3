// The guest definition belongs to the operator: a domain XML file with
// {uuid}, {name} and {memory_kib} placeholders, which the driver fills in for
// each VM it defines.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "vm/vm_driver.h"

namespace poolha::vm::libvirt {

// Throws std::runtime_error naming the file and the reason.
std::string read_domain_template(const std::filesystem::path& path);

// The values are XML-escaped and the memory is rounded up to whole KiB;
// "{{" and "}}" stand for literal braces, as in the other drivers' templates.
// Throws std::invalid_argument for any other placeholder, an unmatched
// brace, a template without {uuid} (the domain must carry the VM's uuid, or
// the driver could never find it again), or a VM without memory.
std::string render_domain_xml(std::string_view xml_template, const VmConfig& vm);

}  // namespace poolha::vm::libvirt
