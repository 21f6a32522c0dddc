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
    cgroups::TuneResult result;
    result.computed_limit_bytes = 1ull << 30;
    result.locked_guest_bytes = 2ull << 30; // guests already lock more than the limit
    const cgroups::TuneError refused(cgroups::TuneError::Kind::Refused, "limit too low", "",
                                     result);
    EXPECT_EQ(to_bus_error(refused).getName(), "org.sevd.Error.InsufficientMemory");
}

TEST(BusError, TuneRefusalOfTheReserveIsInvalidArgument) {
    const cgroups::TuneError refused(cgroups::TuneError::Kind::Refused,
                                     "reserve is not below MemTotal");
    EXPECT_EQ(to_bus_error(refused).getName(), "org.sevd.Error.InvalidArgument");
}

} // namespace
} // namespace sevd::dbus
