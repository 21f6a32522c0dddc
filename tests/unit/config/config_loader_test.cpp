#include <gtest/gtest.h>

#include "config/config.h"
#include "tests/support/temp_dir.h"

namespace sevd::config {
namespace {

namespace fs = std::filesystem;

class ConfigLoader : public ::testing::Test {
protected:
    void write(const fs::path& relative, const std::string& text) {
        test::write_file(dir_ / relative, text);
    }
    test::TempDir temp_{"sevd-config-test"};
    const fs::path dir_ = temp_.path();
};

TEST_F(ConfigLoader, MissingFileMeansDefaults) {
    EXPECT_EQ(load_config(dir_ / "absent.conf"), Config{});
}

TEST_F(ConfigLoader, DropInsOverrideInLexicalOrder) {
    write("sevd.conf", "[memory]\nreserved_host_memory_mb = 1000\nguest_overhead_mb = 20\n");
    write("sevd.conf.d/20-late.conf", "[memory]\nreserved_host_memory_mb = 3000\n");
    write("sevd.conf.d/10-early.conf", "[memory]\nreserved_host_memory_mb = 2000\n");
    write("sevd.conf.d/ignored.txt", "not ini at all\n");
    const auto config = load_config(dir_ / "sevd.conf");
    EXPECT_EQ(config.reserved_host_memory_mb, 3000u); // 20-late wins over 10-early and main
    EXPECT_EQ(config.guest_overhead_mb, 20u);         // untouched by drop-ins
    EXPECT_EQ(config.describe_origin("memory", "reserved_host_memory_mb"),
              (dir_ / "sevd.conf.d/20-late.conf").string() +
                  ":2: [memory] reserved_host_memory_mb");
}

TEST_F(ConfigLoader, DropInsApplyEvenWithoutMainFile) {
    write("sevd.conf.d/a.conf", "[libvirt]\nuri = test:///default\n");
    EXPECT_EQ(load_config(dir_ / "sevd.conf").libvirt_uri, "test:///default");
}

TEST_F(ConfigLoader, ErrorInDropInNamesThatFile) {
    write("sevd.conf", "[memory]\nreserved_host_memory_mb = 1000\n");
    write("sevd.conf.d/50-bad.conf", "[memory]\n\nreserved_host_memory_mb = lots\n");
    try {
        load_config(dir_ / "sevd.conf");
        FAIL() << "no error";
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()).rfind((dir_ / "sevd.conf.d/50-bad.conf").string() +
                                                  ":3: [memory] reserved_host_memory_mb",
                                              0),
                  0u);
    }
}

TEST(SampleConfig, ShippedSampleParsesToTheDefaults) {
    // units/sevd.conf lists every key at its built-in default.
    const auto sample = load_config(fs::path(SEVD_SOURCE_DIR) / "units/sevd.conf");
    EXPECT_EQ(sample, Config{});
    EXPECT_EQ(sample.origins.by_key.size(), 10u); // all ten keys are spelled out
}

TEST_F(ConfigLoader, UnreadableFileIsAReadError) {
    // A directory where the file should be cannot be read as text.
    fs::create_directories(dir_ / "sevd.conf");
    EXPECT_THROW(load_config(dir_ / "sevd.conf"), ConfigReadError);
}

} // namespace
} // namespace sevd::config
