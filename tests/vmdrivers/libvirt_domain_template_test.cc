// Filling the operator's domain XML template for a VM.
#include "vm/libvirt/domain_template.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace poolha::vm::libvirt {
namespace {

// Shows the whole text when it lacks the part.
::testing::AssertionResult Contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << text << "' lacks '" << part << "'";
}

const VmConfig kVm{"0b3c5f2e-1d4a-4c6b-9e8f-a1b2c3d4e5f6", "web", 512ULL << 20};

std::string error_of(std::string_view xml_template, const VmConfig& vm) {
  try {
    render_domain_xml(xml_template, vm);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "no error";
}

TEST(LibvirtDomainTemplate, FillsEveryPlaceholder) {
  EXPECT_EQ(render_domain_xml("<d><uuid>{uuid}</uuid><name>{name}</name><m>{memory_kib}</m>"
                              "<again>{name}</again></d>",
                              kVm),
            "<d><uuid>0b3c5f2e-1d4a-4c6b-9e8f-a1b2c3d4e5f6</uuid><name>web</name><m>524288</m>"
            "<again>web</again></d>");
}

TEST(LibvirtDomainTemplate, EscapesValuesForXml) {
  VmConfig vm = kVm;
  vm.name = "a<b & 'c\">";
  EXPECT_EQ(render_domain_xml("{uuid} {name}", vm), kVm.uuid + " a&lt;b &amp; &apos;c&quot;&gt;");
}

TEST(LibvirtDomainTemplate, RoundsMemoryUpToWholeKib) {
  VmConfig vm = kVm;
  vm.memory = 1025;
  EXPECT_EQ(render_domain_xml("{uuid} {memory_kib}", vm), kVm.uuid + " 2");
  vm.memory = 1024;
  EXPECT_EQ(render_domain_xml("{uuid} {memory_kib}", vm), kVm.uuid + " 1");
}

TEST(LibvirtDomainTemplate, DoubledBracesAreLiteralBraces) {
  EXPECT_EQ(render_domain_xml("{uuid} {{name}} }}{{", kVm), kVm.uuid + " {name} }{");
}

TEST(LibvirtDomainTemplate, RefusesAnUnmatchedBrace) {
  EXPECT_TRUE(Contains(error_of("{uuid} {name", kVm), "unmatched '{' at offset 7"));
  EXPECT_TRUE(Contains(error_of("{uuid} }", kVm), "unmatched '}' at offset 7"));
}

TEST(LibvirtDomainTemplate, RefusesAnUnknownPlaceholder) {
  EXPECT_TRUE(Contains(error_of("{uuid} {memory_mib}", kVm),
                       "unknown placeholder {memory_mib} in the domain template"));
}

TEST(LibvirtDomainTemplate, RefusesATemplateWithoutUuid) {
  EXPECT_TRUE(Contains(error_of("<name>{name}</name>", kVm), "no {uuid} placeholder"));
}

TEST(LibvirtDomainTemplate, RefusesAVmWithoutMemory) {
  VmConfig vm = kVm;
  vm.memory = 0;
  EXPECT_TRUE(Contains(error_of("{uuid}", vm), "has no memory configured"));
}

TEST(LibvirtDomainTemplate, ReadsTheFileAndNamesAMissingOne) {
  char pattern[] = "/tmp/poolha-template-XXXXXX";
  ASSERT_NE(::mkdtemp(pattern), nullptr);
  const std::filesystem::path dir = pattern;
  std::ofstream(dir / "domain.xml") << "<domain>{uuid}</domain>\n";
  EXPECT_EQ(read_domain_template(dir / "domain.xml"), "<domain>{uuid}</domain>\n");
  try {
    read_domain_template(dir / "missing.xml");
    ADD_FAILURE() << "a missing template was read";
  } catch (const std::runtime_error& e) {
    EXPECT_TRUE(
        Contains(e.what(), "cannot read domain template " + (dir / "missing.xml").string()));
    EXPECT_TRUE(Contains(e.what(), "No such file or directory"));
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace poolha::vm::libvirt
