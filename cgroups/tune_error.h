// Errors of the tune path. Refused = the reserve is unusable (exit 1, D-Bus
// InvalidArgument); InsufficientMemory = the limit would fall below the memory
// locked by running SEV guests (exit 1, D-Bus InsufficientMemory); Io = the
// host could not be read or written (exit 2). Each carries the result as far as it was determined,
// so callers can still report the limit in force.
#pragma once

#include <stdexcept>
#include <string>

#include "cgroups/tune_result.h"

namespace sevd::cgroups {

class TuneError : public std::runtime_error {
public:
    enum class Kind { Refused, InsufficientMemory, Io };

    TuneError(Kind kind, const std::string& message, std::string hint = {}, TuneResult result = {})
        : std::runtime_error(message), kind_(kind), hint_(std::move(hint)),
          result_(std::move(result)) {}

    Kind kind() const { return kind_; }
    const std::string& hint() const { return hint_; }
    const TuneResult& result() const { return result_; }
    int exit_code() const { return kind_ == Kind::Io ? 2 : 1; }

private:
    Kind kind_;
    std::string hint_;
    TuneResult result_;
};

} // namespace sevd::cgroups
