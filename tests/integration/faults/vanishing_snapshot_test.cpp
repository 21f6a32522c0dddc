// Fault: the files the daemon reads vanish while it runs (sysfs parameters,
// misc cgroup counters, the firmware status, /dev/sev, then the whole
// snapshot). The daemon stays up, Describe() keeps answering, and the report
// follows the probe rules at each step; putting the snapshot back restores it.
#include <filesystem>
#include <fstream>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "tests/integration/faults/fault_harness.h"
#include "tests/support/private_bus.h"
#include "tests/support/sevd_daemon.h"
#include "tests/support/temp_dir.h"

namespace sevd::test::faults {
namespace {

namespace fs = std::filesystem;
using Models = std::vector<std::string>;

// rome-split-asids (tests/fixtures/README.md): CPUID SEV-ES 1..99, SEV 100..509;
// misc.capacity "sev 410 / sev_es 99", misc.current "sev 3 / sev_es 1"; libvirt
// maxGuests 410 / maxESGuests 99; kvm_amd sev=Y sev_es=Y; firmware working,
// flags bit 8 (SEV-ES initialized). test:///default runs one domain ("test")
// without <launchSecurity>, so libvirt counts 0 encrypted guests.
constexpr const char* kFixture = SEVD_FIXTURES_DIR "/rome-split-asids";

void send_kvm_uevent() {
    std::ofstream(kKvmUevent) << "change";
}

class VanishingSnapshot : public testing::Test {
protected:
    void SetUp() override {
        root_ = dir_.copy_in(kFixture, "host");
        bus_ = std::make_unique<PrivateBus>();
        auto options = daemon_options(root_);
        options.libvirt_uri = "test:///default";
        daemon_ = std::make_unique<SevdDaemon>(*bus_, options);
        host_ = std::make_unique<HostView>(bus_->address());
    }
    void TearDown() override {
        host_.reset();
        if (daemon_) {
            EXPECT_EQ(daemon_->stop(), 0) << "the daemon did not exit cleanly:\n" << daemon_->log();
        }
    }
    void expect_initial_report(const Json& r) {
        EXPECT_EQ(r.at("ready"), true) << r.dump(1);
        EXPECT_EQ(r.at("models"), (Models{"amd-sev", "amd-sev-es"}));
        // SEV: min(CPUID 410, misc 410, libvirt 410) = 410, used misc "sev 3".
        EXPECT_EQ(slots_of(r, "amd-sev"), std::make_pair(410, 3));
        // SEV-ES: min(CPUID 99, misc 99, libvirt 99) = 99, used misc "sev_es 1".
        EXPECT_EQ(slots_of(r, "amd-sev-es"), std::make_pair(99, 1));
    }
    bool alive() { return !daemon_->process().poll_exit().has_value(); }

    TempDir dir_;
    fs::path root_;
    std::unique_ptr<PrivateBus> bus_;
    std::unique_ptr<SevdDaemon> daemon_;
    std::unique_ptr<HostView> host_;
};

TEST_F(VanishingSnapshot, ReportFollowsTheRulesAsFilesVanishAndRecovers) {
    // libvirt connects in the background; until then the libvirt check fails.
    ASSERT_TRUE(wait_until([&] { return host_->describe().at("ready") == true; }, kSettle))
        << daemon_->log();
    expect_initial_report(host_->describe());

    // 1. kvm_amd's sev_es parameter vanishes (read as off): warn_es closes SEV-ES only;
    //    the SEV-ES total is 0 while the kernel parameter is off, used still misc "sev_es 1".
    //    Seen through a real uevent when the machine has /dev/kvm, else through Refresh.
    fs::remove(root_ / "sys/module/kvm_amd/parameters/sev_es");
    if (fs::exists(kKvmUevent))
        send_kvm_uevent();
    else
        host_->refresh();
    ASSERT_TRUE(wait_until([&] { return host_->describe().at("models").size() == 1; }, kSettle))
        << daemon_->log();
    auto r = host_->describe();
    EXPECT_EQ(r.at("ready"), true);
    EXPECT_EQ(r.at("models"), Models{"amd-sev"});
    EXPECT_EQ(r.at("kernel").at("sev_es"), false);
    EXPECT_EQ(slots_of(r, "amd-sev"), std::make_pair(410, 3));
    EXPECT_EQ(slots_of(r, "amd-sev-es"), std::make_pair(0, 1));

    // 2. misc.current vanishes: used falls back to libvirt's running encrypted domains (0).
    fs::remove(root_ / "sys/fs/cgroup/misc.current");
    r = host_->refreshed();
    EXPECT_EQ(slots_of(r, "amd-sev"), std::make_pair(410, 0));
    EXPECT_EQ(slots_of(r, "amd-sev-es"), std::make_pair(0, 0));
    EXPECT_EQ(r.at("models"), Models{"amd-sev"});

    // 3. The firmware status record vanishes: a plain WARN (state unknown) closes nothing.
    fs::remove(root_ / "sev/platform-status");
    r = host_->refreshed();
    EXPECT_EQ(check_status(r, "firmware.status"), "warn");
    EXPECT_TRUE(r.at("firmware").at("state").is_null());
    EXPECT_EQ(r.at("ready"), true);
    EXPECT_EQ(r.at("models"), Models{"amd-sev"});

    // 4. /dev/sev vanishes: firmware.device FAILs, and a FAIL closes every model.
    fs::remove(root_ / "dev/sev");
    r = host_->refreshed();
    EXPECT_EQ(check_status(r, "firmware.device"), "fail");
    EXPECT_EQ(r.at("firmware").at("present"), false);
    EXPECT_EQ(r.at("ready"), false);
    EXPECT_TRUE(r.at("models").empty());
    EXPECT_TRUE(r.at("traits").empty());

    // 5. The whole snapshot vanishes: only the snapshot.root FAIL remains, every
    //    section at its empty value, so both pools read 0 of 0.
    fs::remove_all(root_);
    r = host_->refreshed();
    EXPECT_EQ(check_status(r, "snapshot.root"), "fail") << r.dump(1);
    EXPECT_EQ(r.at("ready"), false);
    EXPECT_TRUE(r.at("models").empty());
    EXPECT_EQ(slots_of(r, "amd-sev"), std::make_pair(0, 0));
    EXPECT_EQ(slots_of(r, "amd-sev-es"), std::make_pair(0, 0));
    EXPECT_NO_THROW(host_->get_all());
    ASSERT_TRUE(alive()) << daemon_->log();

    // 6. The snapshot comes back: the first report again, once the background libvirt
    //    reading (which saw no domcapabilities.xml in step 5) has been redone.
    dir_.copy_in(kFixture, "host");
    ASSERT_TRUE(wait_until([&] { return host_->refreshed().at("ready") == true; }, kSettle))
        << host_->describe().dump(1);
    expect_initial_report(host_->describe());
    ASSERT_TRUE(alive()) << daemon_->log();
}

// A snapshot file replaced by something that is not a small regular file: a
// directory, an endless device, and a FIFO nobody writes to.
TEST_F(VanishingSnapshot, FilesReplacedByOtherKindsDoNotStopTheDaemon) {
    ASSERT_TRUE(wait_until([&] { return host_->describe().at("ready") == true; }, kSettle))
        << daemon_->log();

    // misc.current becomes a directory: unreadable (EISDIR), so it is ignored with a
    // warning and used falls back to libvirt's running encrypted domains (0).
    fs::remove(root_ / "sys/fs/cgroup/misc.current");
    fs::create_directory(root_ / "sys/fs/cgroup/misc.current");
    auto r = host_->refreshed();
    EXPECT_EQ(slots_of(r, "amd-sev").second, 0) << r.dump(1);
    EXPECT_FALSE(daemon_->process().poll_exit()) << daemon_->log();

    // meminfo becomes /dev/zero: reads stop at the 1 MiB cap instead of running forever.
    fs::remove(root_ / "proc/meminfo");
    fs::create_symlink("/dev/zero", root_ / "proc/meminfo");
    EXPECT_NO_THROW(r = host_->refreshed());
    EXPECT_FALSE(daemon_->process().poll_exit()) << daemon_->log();

    EXPECT_NO_THROW(host_->get_all());
}

// Regression: a FIFO once blocked read_small_file() in open() on the main loop.
TEST_F(VanishingSnapshot, FifoInPlaceOfASnapshotFileDoesNotHangTheDaemon) {
    ASSERT_TRUE(wait_until([&] { return host_->describe().at("ready") == true; }, kSettle))
        << daemon_->log();
    // misc.capacity becomes a FIFO nobody writes to: an unreadable file (a warning).
    fs::remove(root_ / "sys/fs/cgroup/misc.capacity");
    ASSERT_EQ(mkfifo((root_ / "sys/fs/cgroup/misc.capacity").c_str(), 0600), 0);
    HostView impatient(bus_->address());
    EXPECT_EQ(error_name_of([&] { impatient.refresh(2s); }), "ok") << "Refresh on the FIFO";
    EXPECT_NO_THROW(host_->get_all(2s));
}

} // namespace
} // namespace sevd::test::faults
