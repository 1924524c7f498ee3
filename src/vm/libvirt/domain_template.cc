#include "vm/libvirt/domain_template.h"

#include <cerrno>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <system_error>

namespace poolha::vm::libvirt {
namespace {

std::string xml_escaped(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace

std::string read_domain_template(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw std::runtime_error("cannot read domain template " + path.string() + ": " +
                             std::generic_category().message(errno));
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw std::runtime_error("cannot read domain template " + path.string());
  return text;
}

std::string render_domain_xml(std::string_view xml_template, const VmConfig& vm) {
  if (vm.memory == 0) throw std::invalid_argument("VM " + vm.uuid + " has no memory configured");
  const std::string memory_kib = std::to_string(vm.memory / 1024 + (vm.memory % 1024 == 0 ? 0 : 1));
  const auto unmatched = [](char brace, std::size_t at) {
    return std::invalid_argument(std::string("unmatched '") + brace + "' at offset " +
                                 std::to_string(at) +
                                 " of the domain template (write {{ or }} for a brace)");
  };

  std::string out;
  out.reserve(xml_template.size() + 64);
  bool has_uuid = false;
  std::size_t i = 0;
  while (i < xml_template.size()) {
    const char c = xml_template[i];
    const bool doubled = i + 1 < xml_template.size() && xml_template[i + 1] == c;
    if ((c == '{' || c == '}') && doubled) {
      out += c;
      i += 2;
      continue;
    }
    if (c == '}') throw unmatched(c, i);
    if (c != '{') {
      out += c;
      ++i;
      continue;
    }
    const std::size_t close = xml_template.find('}', i + 1);
    if (close == std::string_view::npos) throw unmatched(c, i);
    const std::string_view name = xml_template.substr(i + 1, close - i - 1);
    if (name == "uuid") {
      out += xml_escaped(vm.uuid);
      has_uuid = true;
    } else if (name == "name") {
      out += xml_escaped(vm.name);
    } else if (name == "memory_kib") {
      out += memory_kib;
    } else {
      throw std::invalid_argument("unknown placeholder {" + std::string(name) +
                                  "} in the domain template (known: {uuid}, {name}, {memory_kib})");
    }
    i = close + 1;
  }
  if (!has_uuid) {
    throw std::invalid_argument(
        "the domain template has no {uuid} placeholder: the domain must carry the VM's uuid");
  }
  return out;
}

}  // namespace poolha::vm::libvirt
