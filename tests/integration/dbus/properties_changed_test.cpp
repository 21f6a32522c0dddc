// A snapshot change plus a kernel uevent for the kvm device (a real one, or
// the kernel's message on the udev group where there is no such device:
// tests/support/uevent_source.h) makes the daemon re-probe and emit
// PropertiesChanged with the new value, for the changed names only.
#include <cerrno>
#include <cstring>
#include <fstream>

#include <gtest/gtest.h>

#include "dbus/host_properties.h"
#include "tests/support/bus_client.h"
#include "tests/support/private_bus.h"
#include "tests/support/sevd_daemon.h"
#include "tests/support/temp_dir.h"
#include "tests/support/uevent_source.h"

namespace sevd::test {
namespace {

TEST(PropertiesChanged, EditedSnapshotAndUeventEmitNewSevSlots) {
    UeventSource uevents;
    if (const auto reason = uevents.unavailable_reason(); !reason.empty())
        GTEST_SKIP() << reason;
    TempDir dir;
    const auto root = dir.copy_in(SEVD_FIXTURES_DIR "/rome-split-asids", "host");
    PrivateBus bus;
    auto options = daemon_options(root);
    options.env = uevents.daemon_env();
    SevdDaemon daemon(bus, options);
    PropertiesChangedRecorder recorder(bus.address(), "org.sevd.Host1", "/org/sevd/Host1");

    // Two more plain SEV guests started: misc.current goes from "sev 3" to "sev 5".
    write_file(root / "sys/fs/cgroup/misc.current", "sev 5\nsev_es 1\n");
    ASSERT_TRUE(uevents.send_kvm_change()) << std::strerror(errno);

    const auto change = recorder.wait_for("SevSlots", std::chrono::seconds(10));
    ASSERT_TRUE(change) << daemon.log();
    EXPECT_EQ(change->interface, "org.sevd.Host1");
    // total stays 410 (CPUID 100..509, misc.capacity 410, libvirt maxGuests 410); used 3 → 5.
    const auto slots = change->changed.at("SevSlots").get<sdbus::Struct<uint32_t, uint32_t>>();
    EXPECT_EQ(std::get<0>(slots), 410u);
    EXPECT_EQ(std::get<1>(slots), 5u);
    EXPECT_EQ(change->changed.count("SevEsSlots"), 0u) << "SEV-ES usage did not change";
    EXPECT_EQ(daemon.stop(), 0) << daemon.log();
}

TEST(PropertiesChanged, RefreshWithoutChangeEmitsNothingForHost1Slots) {
    TempDir dir;
    const auto root = dir.copy_in(SEVD_FIXTURES_DIR "/rome-split-asids", "host");
    PrivateBus bus;
    SevdDaemon daemon(bus, daemon_options(root));
    PropertiesChangedRecorder recorder(bus.address(), "org.sevd.Host1", "/org/sevd/Host1");
    auto conn = connect_to(bus.address());
    auto host = sdbus::createProxy(*conn, "org.sevd.Host1", "/org/sevd/Host1");
    host->callMethod("Refresh").onInterface("org.sevd.Host1");
    // Then a real change, so we know the signal for the Refresh would have come before it.
    write_file(root / "sys/module/kvm_amd/parameters/sev_es", "N\n");
    host->callMethod("Refresh").onInterface("org.sevd.Host1");
    const auto change = recorder.wait_for("Kernel", std::chrono::seconds(10));
    ASSERT_TRUE(change) << daemon.log();
    // The a{sv} section, keyed by the report's names.
    const auto kernel = dbus::section_from_dbus(change->changed.at("Kernel").get<dbus::Section>());
    EXPECT_EQ(kernel["sev_es"], false);
    EXPECT_EQ(kernel["sev"], true); // only the sev_es parameter was edited
    for (const auto& c : recorder.all())
        EXPECT_EQ(c.changed.count("SevSlots"), 0u) << "an unchanged property was announced";
    EXPECT_EQ(daemon.stop(), 0) << daemon.log();
}

} // namespace
} // namespace sevd::test
