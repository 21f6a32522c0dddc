// [export] in the daemon: both files appear at start, pass promtool and the
// NFD reader, carry Describe()'s values, and follow a launch and a stop.
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "dbus/host_client.h"
#include "dbus/launcher_client.h"
#include "tests/support/bus_client.h"
#include "tests/support/nfd_feature_file.h"
#include "tests/support/private_bus.h"
#include "tests/support/prometheus_samples.h"
#include "tests/support/sevd_daemon.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait_until.h"

namespace sevd::test {
namespace {

using namespace std::chrono_literals;
const std::string kNs = "sevd.feature.node.kubernetes.io/";

std::string read(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

class ExportDaemon : public ::testing::Test {
protected:
    void SetUp() override {
        auto setup = launch_setup(dir_, SEVD_FIXTURES_DIR "/rome-split-asids");
        disk_ = setup.disk;
        textfile_ = dir_.path() / "node-exporter" / "sevd.prom";
        features_ = dir_.path() / "features.d";
        std::filesystem::create_directories(textfile_.parent_path());
        std::filesystem::create_directories(features_);
        std::ofstream(*setup.options.config, std::ios::app)
            << "[export]\nprometheus_textfile = " << textfile_.string()
            << "\nnfd_features_dir = " << features_.string() << "\n";
        bus_ = std::make_unique<PrivateBus>();
        daemon_ = std::make_unique<SevdDaemon>(*bus_, setup.options);
        conn_ = connect_to(bus_->address());
    }
    void TearDown() override {
        if (daemon_) {
            EXPECT_EQ(daemon_->stop(), 0) << daemon_->log();
        }
    }
    // The textfile's samples once `series` has `value` (the daemon rewrites
    // shortly after each change).
    prometheus::Exposition wait_for_sample(const std::string& series, const std::string& value) {
        prometheus::Exposition metrics;
        wait_until(
            [&] {
                metrics = prometheus::parse(read(textfile_));
                const auto found = metrics.samples.find(series);
                return found != metrics.samples.end() && found->second == value;
            },
            10s);
        return metrics;
    }

    TempDir dir_{"sevd-export"};
    std::string disk_;
    std::filesystem::path textfile_, features_;
    std::unique_ptr<PrivateBus> bus_;
    std::unique_ptr<SevdDaemon> daemon_;
    std::unique_ptr<sdbus::IConnection> conn_;
};

TEST_F(ExportDaemon, FilesCarryTheReportAndPassTheirReaders) {
    dbus::HostClient host(*conn_);
    ASSERT_TRUE(wait_until([&] { return host.libvirt().value("available", false); }, 10s))
        << daemon_->log();
    auto metrics = wait_for_sample("sevd_libvirt_available", "1");
    const auto report = nlohmann::json::parse(host.Describe());

    const auto check = prometheus::promtool_check_metrics(read(textfile_), dir_.path());
    EXPECT_EQ(check.exit_code, 0) << check.output;
    EXPECT_EQ(metrics.samples.at("sevd_ready"), report["ready"].get<bool>() ? "1" : "0");
    for (const auto& [model, slots] : report["slots"].items()) {
        const std::string label = "{model=\"" + model + "\"}";
        EXPECT_EQ(metrics.samples.at("sevd_asid_slots" + label), slots["total"].dump());
        EXPECT_EQ(metrics.samples.at("sevd_asid_slots_used" + label), slots["used"].dump());
        const bool launchable = std::find(report["models"].begin(), report["models"].end(),
                                          model) != report["models"].end();
        EXPECT_EQ(metrics.samples.at("sevd_model_available" + label), launchable ? "1" : "0");
    }
    for (const auto& c : report["checks"])
        EXPECT_EQ(metrics.samples.at("sevd_check{id=\"" + c["id"].get<std::string>() +
                                     "\",status=\"" + c["status"].get<std::string>() + "\"}"),
                  "1");
    // The snapshot's machine.slice limit is whatever the tuner reads for --root;
    // known or not, an unknown limit is never written as a number.
    if (metrics.samples.at("sevd_machine_slice_memory_limit_known") == "0") {
        EXPECT_EQ(metrics.samples.count("sevd_machine_slice_memory_limit_bytes"), 0u);
    }
    EXPECT_EQ(metrics.samples.at("sevd_guest_locked_memory_bytes"), "0");
    EXPECT_EQ(metrics.samples.at("sevd_launches_total{result=\"ok\"}"), "0");

    const auto nfd = nfd::read_features_dir(features_, std::chrono::system_clock::now());
    EXPECT_TRUE(nfd.errors.empty());
    EXPECT_EQ(nfd.labels.at(kNs + "ready"), report["ready"].get<bool>() ? "true" : "false");
    for (const auto& [model, slots] : report["slots"].items())
        EXPECT_EQ(nfd.features.at(kNs + model + ".slots"), slots["total"].dump());
    ASSERT_EQ(nfd.expiry_times.size(), 2u);
    const auto expiry_in = nfd.expiry_times[0] - std::chrono::system_clock::now();
    EXPECT_GT(expiry_in, 14min);
    EXPECT_LE(expiry_in, 15min);
    // Only the files themselves: every dot-file was renamed.
    for (const auto& folder : {textfile_.parent_path(), features_})
        for (const auto& entry : std::filesystem::directory_iterator(folder))
            EXPECT_NE(entry.path().filename().string()[0], '.') << entry.path();
}

TEST_F(ExportDaemon, LaunchAndStopAreExported) {
    dbus::HostClient host(*conn_);
    ASSERT_TRUE(wait_until([&] { return host.libvirt().value("available", false); }, 10s))
        << daemon_->log();
    dbus::LauncherClient launcher(*conn_);
    launcher.Launch("exported", 512, 1, disk_, {});
    // 512 MiB + 16 MiB overhead = 553648128 bytes locked.
    auto metrics = wait_for_sample("sevd_guests_running{model=\"amd-sev\"}", "1");
    EXPECT_EQ(metrics.samples.at("sevd_guest_locked_memory_bytes"), "553648128");
    EXPECT_EQ(metrics.samples.at("sevd_launches_total{result=\"ok\"}"), "1");
    EXPECT_EQ(metrics.samples.at("sevd_launch_duration_seconds_count"), "1");

    EXPECT_THROW(launcher.Launch("exported", 512, 1, disk_, {}), sdbus::Error); // name taken
    launcher.Stop("exported");
    metrics = wait_for_sample("sevd_guests_running{model=\"amd-sev\"}", "0");
    EXPECT_EQ(metrics.samples.at("sevd_guest_locked_memory_bytes"), "0");
    int refused = 0; // the second launch of a running name, whatever its error name
    for (const auto& [series, value] : metrics.samples)
        if (series.rfind("sevd_launches_total{", 0) == 0 &&
            series.find("\"ok\"") == std::string::npos)
            refused += std::stoi(value);
    EXPECT_EQ(refused, 1);
    EXPECT_EQ(metrics.samples.at("sevd_launches_total{result=\"ok\"}"), "1");
}

TEST_F(ExportDaemon, AMissingFolderIsLoggedOnceWithTheFix) {
    daemon_->stop();
    std::filesystem::remove_all(features_);
    daemon_.reset();
    auto setup_options = daemon_options(dir_.path() / "host");
    setup_options.libvirt_uri = "test:///default";
    setup_options.config = dir_.path() / "sevd.conf";
    daemon_ = std::make_unique<SevdDaemon>(*bus_, setup_options);
    ASSERT_TRUE(
        wait_until([&] { return daemon_->log().find("features.d") != std::string::npos; }, 10s));
    std::this_thread::sleep_for(500ms); // libvirt's first reading rewrites the files
    const auto log = daemon_->log();
    EXPECT_NE(log.find("create the folder " + features_.string()), std::string::npos) << log;
    for (const std::string file : {"/.sevd.tmp:", "/.sevd-capacity.tmp:"}) {
        const std::string line = "cannot create " + features_.string() + file;
        EXPECT_NE(log.find(line), std::string::npos) << log;
        EXPECT_EQ(log.find(line), log.rfind(line)) << log; // once, not on every rewrite
    }
    EXPECT_TRUE(std::filesystem::exists(textfile_)); // the other export is unaffected
}

} // namespace
} // namespace sevd::test
