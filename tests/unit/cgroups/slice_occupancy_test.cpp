// slice_occupancy: the v2 "populated" line, and the v1 walk over cgroup.procs,
// on directory trees shaped like the kernel's (the control files are plain
// files here).
#include <fstream>

#include <gtest/gtest.h>

#include "cgroups/slice_occupancy.h"
#include "tests/support/temp_dir.h"

namespace sevd::cgroups {
namespace {

namespace fs = std::filesystem;

void write(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
}

TEST(ParsePopulated, ReadsTheKernelsLine) {
    EXPECT_EQ(parse_populated("populated 0\nfrozen 0\n"), false);
    EXPECT_EQ(parse_populated("populated 1\nfrozen 0\n"), true);
    EXPECT_EQ(parse_populated("frozen 0\npopulated 1"), true);
}

TEST(ParsePopulated, AnythingElseIsUnknown) {
    EXPECT_EQ(parse_populated(""), std::nullopt);
    EXPECT_EQ(parse_populated("frozen 0\n"), std::nullopt);
    EXPECT_EQ(parse_populated("populated yes\n"), std::nullopt);
    EXPECT_EQ(parse_populated("populated 01\n"), std::nullopt);
}

TEST(SliceOccupancy, AbsentSliceIsEmpty) {
    test::TempDir root;
    EXPECT_EQ(read_slice_occupancy(root.path() / "machine.slice"), SliceOccupancy::Empty);
}

TEST(SliceOccupancy, V2EventsFileDecides) {
    test::TempDir root;
    const auto slice = root.path() / "machine.slice";
    write(slice / "cgroup.events", "populated 0\nfrozen 0\n");
    write(slice / "cgroup.procs", "4242\n"); // ignored: cgroup.events is the answer on v2
    EXPECT_EQ(read_slice_occupancy(slice), SliceOccupancy::Empty);
    write(slice / "cgroup.events", "populated 1\nfrozen 0\n");
    EXPECT_EQ(read_slice_occupancy(slice), SliceOccupancy::InUse);
    write(slice / "cgroup.events", "garbage\n");
    EXPECT_EQ(read_slice_occupancy(slice), SliceOccupancy::Unknown);
}

TEST(SliceOccupancy, V1WalksEveryDescendant) {
    test::TempDir root;
    const auto slice = root.path() / "machine.slice";
    write(slice / "cgroup.procs", "");
    write(slice / "memory.limit_in_bytes", "9223372036854771712\n");
    write(slice / "machine-qemu\\x2d1\\x2dvm.scope" / "cgroup.procs", "");
    write(slice / "machine-qemu\\x2d1\\x2dvm.scope" / "libvirt" / "cgroup.procs", "");
    write(slice / "machine-qemu\\x2d1\\x2dvm.scope" / "libvirt" / "vcpu0" / "cgroup.procs", "");
    EXPECT_EQ(read_slice_occupancy(slice), SliceOccupancy::Empty);
    // A QEMU thread group three levels down makes the slice in use.
    write(slice / "machine-qemu\\x2d1\\x2dvm.scope" / "libvirt" / "emulator" / "cgroup.procs",
          "3141\n");
    EXPECT_EQ(read_slice_occupancy(slice), SliceOccupancy::InUse);
}

TEST(SliceOccupancy, V1UnreadableProcsIsUnknown) {
    test::TempDir root;
    const auto slice = root.path() / "machine.slice";
    write(slice / "cgroup.procs", "");
    fs::create_directories(slice / "child.scope"); // no cgroup.procs: cannot tell
    EXPECT_EQ(read_slice_occupancy(slice), SliceOccupancy::Unknown);
}

TEST(SliceOccupancy, RealV1HierarchyRootIsInUse) {
    // The root of this machine's memory hierarchy holds every process that
    // is in no child cgroup (this test's own process among them, or its parents').
    const fs::path memory_root = "/sys/fs/cgroup/memory";
    if (!fs::exists(memory_root / "cgroup.procs"))
        GTEST_SKIP() << "no cgroup v1 memory hierarchy at " << memory_root;
    EXPECT_EQ(read_slice_occupancy(memory_root), SliceOccupancy::InUse);
}

} // namespace
} // namespace sevd::cgroups
