// Tuning1 over the bus as root, on a daemon serving a snapshot (--root): the
// properties come from the snapshot and the configuration, and Apply() refuses
// with org.sevd.Error.Unsupported, leaving this host's machine.slice as it
// was (a snapshot is not this host). Apply on a real host: tests/system/.
#include <gtest/gtest.h>

#include "dbus/tuning_client.h"
#include "tests/integration/cgroups/cgroup_state_guard.h"
#include "tests/support/bus_client.h"
#include "tests/support/private_bus.h"
#include "tests/support/sevd_daemon.h"

namespace sevd::test {
namespace {

const std::filesystem::path kMachineSlice = "/sys/fs/cgroup/memory/machine.slice";

TEST(TuningDbus, ApplyUnderRootRefusesAndWritesNothing) {
    if (geteuid() != 0)
        GTEST_SKIP() << "needs root (the daemon's own check admits uid 0 to Tuning1)";
    CgroupStateGuard guard(kMachineSlice, "memory.limit_in_bytes");
    PrivateBus bus;
    SevdDaemon daemon(bus, daemon_options(SEVD_FIXTURES_DIR "/rome-split-asids"));
    auto conn = connect_to(bus.address());
    dbus::TuningClient tuning(*conn);

    // Default reserve 4096 MiB = 4294967296 bytes.
    EXPECT_EQ(tuning.ReservedHostMemory(), 4294967296u);
    EXPECT_TRUE(tuning.MemoryLimitKnown()); // the memory cgroup is readable here
    try {
        const uint64_t limit = tuning.Apply();
        ADD_FAILURE() << "Apply under --root returned " << limit;
    } catch (const sdbus::Error& e) {
        EXPECT_EQ(e.getName(), "org.sevd.Error.Unsupported") << e.getMessage();
        EXPECT_NE(e.getMessage().find("a snapshot is not this host"), std::string::npos)
            << e.getMessage();
    }
    EXPECT_EQ(std::filesystem::exists(kMachineSlice), guard.existed());
    EXPECT_EQ(read_text(kMachineSlice / "memory.limit_in_bytes"), guard.value());
    EXPECT_EQ(daemon.stop(), 0) << daemon.log();
}

} // namespace
} // namespace sevd::test
