// Configuration errors quote the file printably (found by fuzz_config: a
// config byte that was not UTF-8 made `sevd tune --json` abort).
#include <gtest/gtest.h>

#include "config/config.h"

namespace sevd::config {
namespace {

TEST(PrintableText, ConfigErrorsQuoteTheFileWithoutRawBytes) {
    Config config;
    try {
        parse_config_text("[memory]\nreserved_host_memory_mb = 12\xFF\n", "/etc/sevd/sevd.conf",
                          config);
        FAIL() << "accepted a value that is not a number";
    } catch (const ConfigError& e) {
        EXPECT_STREQ(e.what(), "/etc/sevd/sevd.conf:2: [memory] reserved_host_memory_mb = "
                               "\"12\\xFF\": not a number; give a whole number without unit, "
                               "e.g. 4096");
    }
}

} // namespace
} // namespace sevd::config
