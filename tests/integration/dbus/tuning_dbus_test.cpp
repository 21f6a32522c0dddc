// Tuning1 end to end as root: Apply() sets the machine.slice limit on this
// host's cgroup v1 memory hierarchy (restored afterwards), returns it, and
// MemoryLimit announces it. The daemon reads MemTotal from the snapshot.
#include <gtest/gtest.h>

#include "dbus/tuning_client.h"
#include "tests/integration/cgroups/cgroup_state_guard.h"
#include "tests/support/bus_client.h"
#include "tests/support/private_bus.h"
#include "tests/support/sevd_daemon.h"

namespace sevd::test {
namespace {

const std::filesystem::path kMemoryHierarchy = "/sys/fs/cgroup/memory";

TEST(TuningDbus, ApplySetsTheLimitAndAnnouncesIt) {
    if (!std::filesystem::exists(kMemoryHierarchy / "memory.limit_in_bytes") || geteuid() != 0)
        GTEST_SKIP() << "needs root and a cgroup v1 memory hierarchy at " << kMemoryHierarchy;
    CgroupStateGuard guard(kMemoryHierarchy / "machine.slice", "memory.limit_in_bytes");
    PrivateBus bus;
    SevdDaemon daemon(bus, daemon_options(SEVD_FIXTURES_DIR "/rome-split-asids"));
    PropertiesChangedRecorder recorder(bus.address(), "org.sevd.Host1", "/org/sevd/Tuning1");
    auto conn = connect_to(bus.address());
    dbus::TuningClient tuning(*conn);

    // Default reserve 4096 MiB = 4294967296 bytes.
    EXPECT_EQ(tuning.ReservedHostMemory(), 4294967296u);
    EXPECT_TRUE(tuning.MemoryLimitKnown()); // the memory cgroup is readable here
    // MemTotal 263842124 kB = 270174334976 bytes (65960531 pages of 4 KiB);
    // minus 4 GiB (1048576 pages) = 64911955 pages = 265879367680 bytes.
    const uint64_t limit = tuning.Apply();
    EXPECT_EQ(limit, 265879367680u);
    EXPECT_EQ(read_text(kMemoryHierarchy / "machine.slice/memory.limit_in_bytes"),
              "265879367680\n");
    EXPECT_EQ(tuning.MemoryLimit(), 265879367680u);
    if (guard.value() != std::optional<std::string>("265879367680\n")) {
        const auto change = recorder.wait_for("MemoryLimit", std::chrono::seconds(10));
        ASSERT_TRUE(change) << daemon.log();
        EXPECT_EQ(change->changed.at("MemoryLimit").get<uint64_t>(), 265879367680u);
    }
    EXPECT_EQ(daemon.stop(), 0) << daemon.log();
}

} // namespace
} // namespace sevd::test
