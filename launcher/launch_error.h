// Named refusals of a launch request; dbus/ maps each code to its
// org.sevd.Error.* name. The message says what to change.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace sevd::launcher {

enum class ErrorCode {
    InvalidArgument,
    Unsupported,
    Conflict,
    NoSlots,
    InsufficientMemory,
    Libvirt
};

constexpr std::string_view error_name(ErrorCode c) {
    switch (c) {
    case ErrorCode::InvalidArgument:
        return "org.sevd.Error.InvalidArgument";
    case ErrorCode::Unsupported:
        return "org.sevd.Error.Unsupported";
    case ErrorCode::Conflict:
        return "org.sevd.Error.Conflict";
    case ErrorCode::NoSlots:
        return "org.sevd.Error.NoSlots";
    case ErrorCode::InsufficientMemory:
        return "org.sevd.Error.InsufficientMemory";
    case ErrorCode::Libvirt:
        return "org.sevd.Error.Libvirt";
    }
    return "org.sevd.Error.Failed";
}

// Whether a failed libvirt call may still have done its work: a call whose
// answer was lost (the helper timed out or crashed, the connection dropped
// mid-call) has an unknown outcome, and what it reserved stays reserved until
// libvirt is read again.
enum class Outcome { Known, Unknown };

class LaunchError : public std::runtime_error {
public:
    LaunchError(ErrorCode code, const std::string& message, Outcome outcome = Outcome::Known)
        : std::runtime_error(message), code_(code), outcome_(outcome) {}
    ErrorCode code() const noexcept { return code_; }
    bool outcome_unknown() const noexcept { return outcome_ == Outcome::Unknown; }

private:
    ErrorCode code_;
    Outcome outcome_;
};

} // namespace sevd::launcher
