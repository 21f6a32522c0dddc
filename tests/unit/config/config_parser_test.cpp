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

TEST(ConfigParser, DefaultsMatchDesign) {
    const Config config;
    EXPECT_EQ(config.libvirt_uri, "qemu:///system");
    EXPECT_EQ(config.machine_type, "q35");
    EXPECT_EQ(config.reserved_host_memory_mb, 4096u);
    EXPECT_EQ(config.guest_overhead_mb, 16u);
    ASSERT_EQ(config.image_dirs.size(), 1u);
    EXPECT_EQ(config.image_dirs[0], "/var/lib/libvirt/images");
    EXPECT_FALSE(config.max_encrypted_guests);
}

TEST(ConfigParser, EveryKeyIsRead) {
    Config config;
    parse_config_text("[libvirt]\nuri = test:///default\nmachine_type = pc-q35-7.2\n"
                      "[memory]\nreserved_host_memory_mb = 8192\nguest_overhead_mb = 32\n"
                      "[guests]\nimage_dirs = /srv/a:/srv/b\nmax_encrypted_guests = 12\n",
                      "f.conf", config);
    EXPECT_EQ(config.libvirt_uri, "test:///default");
    EXPECT_EQ(config.machine_type, "pc-q35-7.2");
    EXPECT_EQ(config.reserved_host_memory_mb, 8192u);
    EXPECT_EQ(config.guest_overhead_mb, 32u);
    EXPECT_EQ(config.image_dirs, (std::vector<std::filesystem::path>{"/srv/a", "/srv/b"}));
    EXPECT_EQ(config.max_encrypted_guests, 12u);
}

TEST(ConfigParser, BlanksAroundTheDirectorySeparatorAreLayout) {
    // Found by fuzz_config: "/srv/a :" kept the blank in the path, and the
    // configuration written back read differently (the value's end is trimmed).
    Config config;
    parse_config_text("[guests]\nimage_dirs = /srv/a : /srv/b\t:/srv/c d :\n", "f.conf", config);
    EXPECT_EQ(config.image_dirs,
              (std::vector<std::filesystem::path>{"/srv/a", "/srv/b", "/srv/c d"}));
}

TEST(ConfigParser, DesignSampleWithInlineCommentsParses) {
    Config config;
    parse_config_text("[memory]\nreserved_host_memory_mb = 4096     # host reserve\n"
                      "[guests]\nmax_encrypted_guests =                 # optional cap\n",
                      "f.conf", config);
    EXPECT_EQ(config.reserved_host_memory_mb, 4096u);
    EXPECT_FALSE(config.max_encrypted_guests);
}

TEST(ConfigParser, EmptyCapClearsAnEarlierCap) {
    Config config;
    config.max_encrypted_guests = 3;
    parse_config_text("[guests]\nmax_encrypted_guests =\n", "f.conf", config);
    EXPECT_FALSE(config.max_encrypted_guests);
}

TEST(ConfigParser, OriginsRecordFileAndLine) {
    Config config;
    parse_config_text("[memory]\n\nreserved_host_memory_mb = 1\n", "/etc/sevd/sevd.conf", config);
    EXPECT_EQ(config.describe_origin("memory", "reserved_host_memory_mb"),
              "/etc/sevd/sevd.conf:3: [memory] reserved_host_memory_mb");
    EXPECT_EQ(config.describe_origin("memory", "guest_overhead_mb"),
              "built-in default [memory] guest_overhead_mb");
}

TEST(ConfigParser, ReserveNotANumberNamesFileLineAndKey) {
    EXPECT_EQ(error_of("[memory]\nreserved_host_memory_mb = 4GB\n"),
              "/etc/sevd/sevd.conf:2: [memory] reserved_host_memory_mb = \"4GB\": not a number; "
              "give a whole number without unit, e.g. 4096");
}

TEST(ConfigParser, NegativeReserveNamesFileLineAndKey) {
    EXPECT_EQ(error_of("# c\n[memory]\nreserved_host_memory_mb = -512\n"),
              "/etc/sevd/sevd.conf:3: [memory] reserved_host_memory_mb = \"-512\": negative; "
              "give a whole number >= 0, e.g. 4096");
}

TEST(ConfigParser, EmptyReserveIsRefused) {
    EXPECT_EQ(error_of("[memory]\nreserved_host_memory_mb =\n"),
              "/etc/sevd/sevd.conf:2: [memory] reserved_host_memory_mb = \"\": empty; give a "
              "whole number, e.g. 4096");
}

TEST(ConfigParser, ReserveThatOverflowsBytesIsRefused) {
    // UINT64_MAX / 2^20 = 17592186044415 is the largest MiB count that fits in bytes.
    EXPECT_NE(error_of("[memory]\nreserved_host_memory_mb = 17592186044415\n").find("no error"),
              std::string::npos);
    EXPECT_NE(error_of("[memory]\nreserved_host_memory_mb = 17592186044416\n").find("too large"),
              std::string::npos);
    EXPECT_NE(
        error_of("[memory]\nreserved_host_memory_mb = 99999999999999999999999\n").find("too large"),
        std::string::npos);
}

TEST(ConfigParser, OverheadAndCapAreValidated) {
    EXPECT_NE(error_of("[memory]\nguest_overhead_mb = x\n")
                  .find("sevd.conf:2: [memory] guest_overhead_mb = \"x\": not a number"),
              std::string::npos);
    EXPECT_NE(error_of("[guests]\nmax_encrypted_guests = -1\n")
                  .find("sevd.conf:2: [guests] max_encrypted_guests = \"-1\": negative"),
              std::string::npos);
    // 2^32 = 4294967296 does not fit the u32 cap.
    // Issue 13 (4): an overhead whose sum with a request's RAM could wrap.
    EXPECT_NE(error_of("[memory]\nguest_overhead_mb = 1048577\n").find("too large"),
              std::string::npos);
    EXPECT_NE(error_of("[guests]\nmax_encrypted_guests = 4294967296\n").find("too large"),
              std::string::npos);
}

TEST(ConfigParser, UnknownKeyAndWrongSectionAreRefused) {
    EXPECT_NE(error_of("[memory]\nreserve = 1\n")
                  .find("/etc/sevd/sevd.conf:2: [memory] reserve = \"1\": unknown key; the keys "
                        "are [libvirt] uri, "),
              std::string::npos);
    EXPECT_NE(error_of("[libvirt]\nguest_overhead_mb = 1\n").find("unknown key"),
              std::string::npos);
}

TEST(ConfigParser, ImageDirsMustBeAbsolute) {
    EXPECT_NE(
        error_of("[guests]\nimage_dirs = /a:images\n").find("\"images\" is not an absolute path"),
        std::string::npos);
    EXPECT_NE(error_of("[guests]\nimage_dirs = :\n").find("no directory"), std::string::npos);
}

TEST(ConfigParser, ABadLineLeavesTheConfigUntouched) {
    Config config;
    EXPECT_THROW(parse_config_text("[memory]\nreserved_host_memory_mb = 1\nguest_overhead_mb = z\n",
                                   "f", config),
                 ConfigError);
    EXPECT_EQ(config.reserved_host_memory_mb, 4096u);
}

TEST(ConfigParser, EqualityIgnoresOrigins) {
    Config a;
    Config b;
    parse_config_text("[memory]\nreserved_host_memory_mb = 4096\n", "f", b);
    EXPECT_EQ(a, b);
}

} // namespace
} // namespace sevd::config

namespace sevd::config {
namespace {

TEST(ConfigParserNetworks, NoneByDefaultAndListedByComma) {
    EXPECT_TRUE(Config{}.networks.empty());
    Config config;
    parse_config_text("[guests]\nnetworks = default , guests-br.1\n", "f.conf", config);
    EXPECT_EQ(config.networks, (std::vector<std::string>{"default", "guests-br.1"}));
    parse_config_text("[guests]\nnetworks =\n", "f.conf", config);
    EXPECT_TRUE(config.networks.empty());
}

TEST(ConfigParserNetworks, BadNamesNameFileLineAndKey) {
    EXPECT_NE(error_of("[guests]\nnetworks = default,,other\n")
                  .find("/etc/sevd/sevd.conf:2: [guests] networks = \"default,,other\": \"\" is "
                        "not a libvirt network name"),
              std::string::npos);
    EXPECT_NE(error_of("[guests]\nnetworks = a/b\n").find("\"a/b\" is not"), std::string::npos);
}

// [export] prometheus_textfile, nfd_features_dir (DESIGN.md "Configuration").
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
