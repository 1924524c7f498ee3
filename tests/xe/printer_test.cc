// xe's output formats: aligned record blocks and --minimal lists.
#include <sstream>

#include <gtest/gtest.h>

#include "xe/printer.h"

namespace poolha::xe {
namespace {

TEST(Printer, RecordColonsAlignFourColumnsPastTheLongestLabel) {
  EXPECT_EQ(format_record({{"uuid ( RO)", "u"}, {"name-label ( RW)", "n"}, {"type ( RO)", "t"}}),
            "uuid ( RO)          : u\n"
            "    name-label ( RW): n\n"
            "          type ( RO): t\n");
}

TEST(Printer, EmptyValueKeepsTheSeparator) {
  EXPECT_EQ(format_record({{"ha-restart-priority ( RW)", ""}}),
            "ha-restart-priority ( RW)    : \n");
}

TEST(Printer, RecordsAreFollowedByABlankLine) {
  std::ostringstream out;
  Printer printer(out, false);
  printer.records({{{"uuid ( RO)", "a"}}, {{"uuid ( RO)", "b"}}});
  printer.finish();
  EXPECT_EQ(out.str(), "uuid ( RO)    : a\n\nuuid ( RO)    : b\n\n");
}

TEST(Printer, ValuesPrintOnePerLine) {
  std::ostringstream out;
  Printer printer(out, false);
  printer.values({"1", "two"});
  printer.finish();
  EXPECT_EQ(out.str(), "1\ntwo\n");
}

TEST(Printer, MinimalCollectsFirstFieldsIntoOneLine) {
  std::ostringstream out;
  Printer printer(out, true);
  printer.records({{{"uuid ( RO)", "a"}, {"name-label ( RW)", "x"}}, {{"uuid ( RO)", "b"}}});
  EXPECT_EQ(out.str(), "");
  printer.finish();
  EXPECT_EQ(out.str(), "a,b\n");
}

TEST(Printer, MinimalWithNothingPrintsAnEmptyLine) {
  std::ostringstream out;
  Printer printer(out, true);
  printer.records({});
  printer.finish();
  EXPECT_EQ(out.str(), "\n");
}

TEST(Printer, MinimalEscapesCommasAndBackslashes) {
  EXPECT_EQ(escape_for_minimal("a,b\\c"), "a\\,b\\\\c");
  std::ostringstream out;
  Printer printer(out, true);
  printer.values({"timeout: 90, x"});
  printer.finish();
  EXPECT_EQ(out.str(), "timeout: 90\\, x\n");
}

}  // namespace
}  // namespace poolha::xe
