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
    switch (error.kind()) {
    case cgroups::TuneError::Kind::Io:
        return sdbus::Error(kFailedError, message);
    case cgroups::TuneError::Kind::InsufficientMemory: // below the guests' locked memory
        return sdbus::Error(launcher::error_name(launcher::ErrorCode::InsufficientMemory).data(),
                            message);
    case cgroups::TuneError::Kind::Refused: // the configured reserve itself is unusable
        break;
    }
    return sdbus::Error(launcher::error_name(launcher::ErrorCode::InvalidArgument).data(), message);
}

sdbus::Error to_bus_error(const std::exception_ptr& error) {
    try {
        std::rethrow_exception(error);
    } catch (const launcher::LaunchError& e) {
        return to_bus_error(e);
    } catch (const cgroups::TuneError& e) {
        return to_bus_error(e);
    } catch (const std::exception& e) {
        return sdbus::Error(kFailedError, e.what());
    } catch (...) {
        return sdbus::Error(kFailedError, "unknown failure");
    }
}

} // namespace sevd::dbus
