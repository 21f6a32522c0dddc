// What a piece of the manager's blocking work ended with, handed back on the
// loop thread: its value, or the exception that ended it (a LaunchError or
// TuneError keeps its name; dbus/ maps it to the named error).
#pragma once

#include <exception>
#include <functional>
#include <optional>
#include <variant>

namespace sevd::manager {

template <typename Value>
struct Outcome {
    std::optional<Value> value;
    std::exception_ptr error; // set when value is not

    bool ok() const { return value.has_value(); }
};

// Work that answers with nothing but success.
using Done = std::monostate;

// Receives an outcome on the loop thread.
template <typename Value>
using Then = std::function<void(Outcome<Value>)>;

} // namespace sevd::manager
