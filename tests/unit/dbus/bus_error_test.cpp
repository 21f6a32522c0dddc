#include <gtest/gtest.h>

#include "dbus/bus_error.h"

namespace sevd::dbus {
namespace {

using launcher::ErrorCode;
using launcher::LaunchError;

TEST(BusError, EachLaunchErrorKeepsItsNameAndMessage) {
    const std::pair<ErrorCode, const char*> cases[] = {
        {ErrorCode::InvalidArgument, "org.sevd.Error.InvalidArgument"},
        {ErrorCode::Unsupported, "org.sevd.Error.Unsupported"},
        {ErrorCode::Conflict, "org.sevd.Error.Conflict"},
        {ErrorCode::NoSlots, "org.sevd.Error.NoSlots"},
        {ErrorCode::InsufficientMemory, "org.sevd.Error.InsufficientMemory"},
        {ErrorCode::Libvirt, "org.sevd.Error.Libvirt"},
    };
    for (const auto& [code, name] : cases) {
        const auto e = to_bus_error(LaunchError(code, "use q35"));
        EXPECT_EQ(e.getName(), name);
        EXPECT_EQ(e.getMessage(), "use q35");
    }
}

TEST(BusError, TuneIoFailureIsFailedWithTheHint) {
    const cgroups::TuneError io(cgroups::TuneError::Kind::Io, "cannot write memory.max",
                                "mount the memory controller");
    const auto e = to_bus_error(io);
    EXPECT_EQ(e.getName(), "org.freedesktop.DBus.Error.Failed");
    EXPECT_EQ(e.getMessage(), "cannot write memory.max (mount the memory controller)");
}

TEST(BusError, TuneRefusalBelowLockedGuestMemoryIsInsufficientMemory) {
    const cgroups::TuneError refused(cgroups::TuneError::Kind::InsufficientMemory, "limit too low",
                                     "stop a guest first");
    const auto e = to_bus_error(refused);
    EXPECT_EQ(e.getName(), "org.sevd.Error.InsufficientMemory");
    EXPECT_EQ(e.getMessage(), "limit too low (stop a guest first)");
}

TEST(BusError, TuneRefusalOfTheReserveIsInvalidArgument) {
    const cgroups::TuneError refused(cgroups::TuneError::Kind::Refused,
                                     "reserve is not below MemTotal");
    EXPECT_EQ(to_bus_error(refused).getName(), "org.sevd.Error.InvalidArgument");
}

TEST(BusError, AnOutcomesExceptionKeepsItsName) {
    const auto launch = std::make_exception_ptr(LaunchError(ErrorCode::NoSlots, "no slot"));
    EXPECT_EQ(to_bus_error(launch).getName(), "org.sevd.Error.NoSlots");
    const auto tune = std::make_exception_ptr(
        cgroups::TuneError(cgroups::TuneError::Kind::Io, "cannot read memory.max"));
    EXPECT_EQ(to_bus_error(tune).getName(), "org.freedesktop.DBus.Error.Failed");
    const auto other = std::make_exception_ptr(std::runtime_error("bad_alloc"));
    const auto e = to_bus_error(other);
    EXPECT_EQ(e.getName(), "org.freedesktop.DBus.Error.Failed");
    EXPECT_EQ(e.getMessage(), "bad_alloc");
}

} // namespace
} // namespace sevd::dbus
