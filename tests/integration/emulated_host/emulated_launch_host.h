// The whole launch path on the emulated SEV host: the real sevd daemon on a
// private bus, reading the rome-split-asids snapshot (--root) and launching
// through the emulated host's real libvirtd (--libvirt-uri), whose /usr has
// this build's DESTDIR install overlaid (so libvirt finds sevd's firmware
// descriptor where an install puts it). One emulated host per suite (its
// capability probe is the slow part); a daemon per test.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "dbus/host_client.h"
#include "dbus/launcher_client.h"
#include "tests/support/bus_client.h"
#include "tests/support/child_process.h"
#include "tests/support/emulated_sev_host.h"
#include "tests/support/private_bus.h"
#include "tests/support/sevd_daemon.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait_until.h"

namespace sevd::test {

// rome-split-asids: C-bit 47, reducedPhysBits 1 in its domain capabilities.
inline constexpr unsigned kFixtureCbitpos = 47;
inline constexpr unsigned kFixtureReducedPhysBits = 1;

// `cmake --install` of this build into `destdir`; the error text when it fails.
inline std::string install_into(const std::filesystem::path& destdir) {
    const auto result = run_command({"cmake", "--install", SEVD_BINARY_DIR},
                                    {{"DESTDIR", destdir.string()}}, std::chrono::seconds(120));
    return result.exit_code == 0 ? std::string() : result.output;
}

inline FakeSevAnswers fixture_sev_answers() {
    FakeSevAnswers sev;
    sev.cbitpos = kFixtureCbitpos;
    sev.reduced_phys_bits = kFixtureReducedPhysBits;
    return sev;
}

template <typename Suite>
class EmulatedLaunchHost : public testing::Test {
protected:
    static void SetUpTestSuite() {
        skip_reason_ = EmulatedSevHost::unavailable_reason();
        if (!skip_reason_.empty())
            return;
        destdir_ = std::make_unique<TempDir>("sevd-destdir");
        if (auto error = install_into(destdir_->path()); !error.empty()) {
            start_error_ = "cmake --install failed:\n" + error;
            return;
        }
        try {
            EmulatedSevHostOptions options;
            options.sev = fixture_sev_answers();
            options.destdir = destdir_->path();
            host_ = std::make_unique<EmulatedSevHost>(options);
        } catch (const std::exception& e) {
            start_error_ = e.what();
        }
    }
    static void TearDownTestSuite() {
        host_.reset();
        destdir_.reset();
    }

    // Extra sevd.conf lines go after the image directory.
    void start_daemon(const std::string& extra_config = "") {
        auto setup = launch_setup(dir_, SEVD_FIXTURES_DIR "/rome-split-asids");
        root_ = setup.root;
        disk_ = setup.disk;
        // Used slots come from the emulated libvirt's running domains, visible
        // in Host1: no misc.current; 3 SEV and 2 SEV-ES slots.
        write_file(root_ / "sys/fs/cgroup/misc.capacity", "sev 3\nsev_es 2\n");
        std::filesystem::remove(root_ / "sys/fs/cgroup/misc.current");
        write_file(*setup.options.config,
                   "[guests]\nimage_dirs = " + (dir_.path() / "images").string() + "\n" +
                       extra_config);
        setup.options.libvirt_uri = host_->uri();
        options_ = setup.options;
        bus_ = std::make_unique<PrivateBus>();
        daemon_ = std::make_unique<SevdDaemon>(*bus_, options_);
        connect_clients();
    }

    // Stops the daemon and starts it again with the same options and bus;
    // the emulated libvirt and its guests stay.
    void restart_daemon() {
        launcher_.reset();
        host_client_.reset();
        conn_.reset();
        ASSERT_EQ(daemon_->stop(), 0) << daemon_->log();
        daemon_ = std::make_unique<SevdDaemon>(*bus_, options_);
        connect_clients();
    }

    void connect_clients() {
        conn_ = connect_to(bus_->address());
        host_client_ = std::make_unique<dbus::HostClient>(*conn_);
        launcher_ = std::make_unique<dbus::LauncherClient>(*conn_);
        ASSERT_TRUE(wait_until([&] { return host_client_->Ready(); }, std::chrono::seconds(10)))
            << daemon_->log();
    }

    void SetUp() override {
        if (!skip_reason_.empty())
            GTEST_SKIP() << skip_reason_;
        if (!start_error_.empty())
            FAIL() << "the emulated SEV host did not start: " << start_error_;
    }
    bool not_ready() const { return IsSkipped() || HasFatalFailure(); }

    void TearDown() override {
        launcher_.reset();
        host_client_.reset();
        if (daemon_) {
            EXPECT_EQ(daemon_->stop(), 0) << daemon_->log();
        }
    }

    // Waits until Host1.SevSlots / SevEsSlots shows `used` (the daemon re-reads
    // libvirt after each change, in the background).
    bool wait_used(bool es, uint32_t used) {
        return wait_until(
            [&] {
                const auto slots = es ? host_client_->SevEsSlots() : host_client_->SevSlots();
                return std::get<1>(slots) == used;
            },
            std::chrono::seconds(10));
    }

    static inline std::unique_ptr<TempDir> destdir_;
    static inline std::unique_ptr<EmulatedSevHost> host_;
    static inline std::string skip_reason_;
    static inline std::string start_error_;

    TempDir dir_{"sevd-emulated"};
    std::filesystem::path root_;
    std::string disk_;
    std::unique_ptr<PrivateBus> bus_;
    SevdDaemonOptions options_;
    std::unique_ptr<SevdDaemon> daemon_;
    std::unique_ptr<sdbus::IConnection> conn_;
    std::unique_ptr<dbus::HostClient> host_client_;
    std::unique_ptr<dbus::LauncherClient> launcher_;
};

} // namespace sevd::test
