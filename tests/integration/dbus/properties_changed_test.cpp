// A snapshot change plus a real kernel uevent makes the daemon re-probe and
// emit PropertiesChanged with the new value, for the changed names only.
#include <fstream>

#include <gtest/gtest.h>

#include "dbus/host_properties.h"
#include "tests/support/bus_client.h"
#include "tests/support/private_bus.h"
#include "tests/support/sevd_daemon.h"
#include "tests/support/temp_dir.h"

namespace sevd::test {
namespace {

constexpr const char* kKvmUevent = "/sys/class/misc/kvm/uevent";

void trigger_kvm_uevent() {
    std::ofstream out(kKvmUevent);
    out << "change";
}

TEST(PropertiesChanged, EditedSnapshotAndUeventEmitNewSevSlots) {
    if (!std::filesystem::exists(kKvmUevent))
        GTEST_SKIP() << kKvmUevent << " missing: no KVM device to send a uevent for";
    TempDir dir;
    const auto root = dir.copy_in(SEVD_FIXTURES_DIR "/rome-split-asids", "host");
    PrivateBus bus;
    SevdDaemon daemon(bus, daemon_options(root));
    PropertiesChangedRecorder recorder(bus.address(), "org.sevd.Host1", "/org/sevd/Host1");

    // Two more plain SEV guests started: misc.current goes from "sev 3" to "sev 5".
    write_file(root / "sys/fs/cgroup/misc.current", "sev 5\nsev_es 1\n");
    trigger_kvm_uevent();

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
