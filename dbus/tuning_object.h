// org.sevd.Tuning1 at /org/sevd/Tuning1: the machine.slice memory limit.
// Adapts only: checks the caller (polkit org.sevd.tune), then hands Apply to
// the daemon, which runs the tuner off the bus thread and replies.
#pragma once

#include <cstdint>
#include <functional>

#include <sdbus-c++/sdbus-c++.h>

#include "dbus/authorizer.h"
#include "dbus/generated/org.sevd.Tuning1_adaptor.h"

namespace sevd::dbus {

struct TuningState {
    uint64_t memory_limit = 0;      // bytes in force on machine.slice, 0 = none
    bool memory_limit_known = true; // false: it could not be read (memory_limit is then 0)
    uint64_t reserved_host_memory = 0;
    bool operator==(const TuningState&) const = default;
};

class TuningObject final : public sdbus::AdaptorInterfaces<org::sevd::Tuning1_adaptor> {
public:
    // `apply` must eventually answer the Result (returnResults or returnError).
    using ApplyHandler = std::function<void(sdbus::Result<uint64_t>)>;

    TuningObject(sdbus::IConnection& bus, Authorizer& authorizer, TuningState state,
                 ApplyHandler apply);
    ~TuningObject();
    TuningObject(const TuningObject&) = delete;
    TuningObject& operator=(const TuningObject&) = delete;

    // Emits PropertiesChanged for the values that differ.
    void publish(const TuningState& state);
    const TuningState& state() const { return state_; }

private:
    void Apply(sdbus::Result<uint64_t>&& result) override;
    uint64_t MemoryLimit() override { return state_.memory_limit; }
    bool MemoryLimitKnown() override { return state_.memory_limit_known; }
    uint64_t ReservedHostMemory() override { return state_.reserved_host_memory; }

    Authorizer& authorizer_;
    TuningState state_;
    ApplyHandler apply_;
};

} // namespace sevd::dbus
