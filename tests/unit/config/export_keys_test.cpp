// [export] prometheus_textfile, nfd_features_dir (DESIGN.md "Configuration").
#include <gtest/gtest.h>

#include "config/config.h"

namespace sevd::config {
namespace {

std::string error_of(const std::string& text) {
    Config config;
    try {
        parse_config_text(text, "/etc/sevd/sevd.conf", config);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "no error";
}

TEST(ExportKeys, OffByDefault) {
    const Config config;
    EXPECT_TRUE(config.prometheus_textfile.empty());
    EXPECT_TRUE(config.nfd_features_dir.empty());
}

TEST(ExportKeys, AbsolutePathsAreRead) {
    Config config;
    parse_config_text("[export]\n"
                      "prometheus_textfile = /var/lib/prometheus/node-exporter/sevd.prom\n"
                      "nfd_features_dir = /etc/kubernetes/node-feature-discovery/features.d\n",
                      "f.conf", config);
    EXPECT_EQ(config.prometheus_textfile, "/var/lib/prometheus/node-exporter/sevd.prom");
    EXPECT_EQ(config.nfd_features_dir, "/etc/kubernetes/node-feature-discovery/features.d");
}

TEST(ExportKeys, DesignSampleWithInlineCommentsIsOff) {
    Config config;
    config.prometheus_textfile = "/x/sevd.prom";
    parse_config_text("[export]\nprometheus_textfile =                  # e.g. /a/sevd.prom\n"
                      "nfd_features_dir =                     # e.g. /b/features.d\n",
                      "f.conf", config);
    EXPECT_TRUE(config.prometheus_textfile.empty());
    EXPECT_TRUE(config.nfd_features_dir.empty());
}

TEST(ExportKeys, RelativePathNamesFileLineAndKey) {
    EXPECT_NE(error_of("[export]\nprometheus_textfile = sevd.prom\n")
                  .find("/etc/sevd/sevd.conf:2: [export] prometheus_textfile = \"sevd.prom\": "
                        "not an absolute path"),
              std::string::npos);
    EXPECT_NE(error_of("\n[export]\nnfd_features_dir = features.d\n")
                  .find("/etc/sevd/sevd.conf:3: [export] nfd_features_dir"),
              std::string::npos);
}

TEST(ExportKeys, TextfileMustNameAFile) {
    EXPECT_NE(error_of("[export]\nprometheus_textfile = /var/lib/node-exporter/\n")
                  .find("name the file or folder itself"),
              std::string::npos);
    EXPECT_NE(error_of("[export]\nnfd_features_dir = /etc/..\n").find("[export] nfd_features_dir"),
              std::string::npos);
}

TEST(ExportKeys, UnknownExportKeyIsRefusedListingTheKeys) {
    const auto error = error_of("[export]\nprometheus = /a\n");
    EXPECT_NE(error.find("unknown key"), std::string::npos);
    EXPECT_NE(error.find("[export] prometheus_textfile, [export] nfd_features_dir"),
              std::string::npos);
}

} // namespace
} // namespace sevd::config
