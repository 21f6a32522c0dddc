#include "dbus/bus_error.h"

#include <string>

#include "dbus/bus_names.h"

namespace sevd::dbus {

sdbus::Error to_bus_error(const launcher::LaunchError& error) {
    return sdbus::Error(std::string(launcher::error_name(error.code())), error.what());
}

sdbus::Error to_bus_error(const cgroups::TuneError& error) {
    std::string message = error.what();
    if (!error.hint().empty())
        message += " (" + error.hint() + ")";
    if (error.kind() == cgroups::TuneError::Kind::Io)
        return sdbus::Error(kFailedError, message);
    // A refusal: the limit would cut into memory locked by running guests, or
    // the configured reserve itself is unusable.
    const auto& result = error.result();
    const bool below_locked =
        result.locked_guest_bytes > 0 && result.computed_limit_bytes < result.locked_guest_bytes;
    return sdbus::Error(below_locked
                            ? launcher::error_name(launcher::ErrorCode::InsufficientMemory).data()
                            : launcher::error_name(launcher::ErrorCode::InvalidArgument).data(),
                        message);
}

} // namespace sevd::dbus
