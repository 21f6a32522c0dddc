// The private test bus is configured from the template plus the project's own
// policy file (by absolute path), so tests exercise the shipped policy.
#include <gtest/gtest.h>
#include <pugixml.hpp>

#include "tests/support/private_bus.h"

namespace sevd::test {
namespace {

TEST(PrivateBusConfig, IncludesTheProjectPolicyAndTheExtraPolicy) {
    const std::string text = private_bus_config("/tmp/x/bus", "<policy user=\"nobody\"/>");
    pugi::xml_document doc;
    ASSERT_TRUE(doc.load_string(text.c_str()));
    EXPECT_STREQ(doc.select_node("/busconfig/listen").node().text().get(), "unix:path=/tmp/x/bus");
    EXPECT_STREQ(doc.select_node("/busconfig/include").node().text().get(),
                 SEVD_SOURCE_DIR "/units/org.sevd.Host1.conf");
    EXPECT_TRUE(doc.select_node("/busconfig/policy[@user='nobody']"));
}

} // namespace
} // namespace sevd::test
