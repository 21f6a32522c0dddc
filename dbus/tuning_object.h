// org.sevd.Tuning1 at /org/sevd/Tuning1: the machine.slice memory limit.
// Adapts only: checks the caller (polkit org.sevd.tune), hands Apply to the
// manager (manager::TuningManager does it) and replies with its answer.
#pragma once

#include <cstdint>

#include <sdbus-c++/sdbus-c++.h>

#include "dbus/authorizer.h"
#include "dbus/generated/org.sevd.Tuning1_adaptor.h"
#include "manager/manager.h"
#include "manager/tuning_state.h"

namespace sevd::dbus {

class TuningObject final : public sdbus::AdaptorInterfaces<org::sevd::Tuning1_adaptor> {
public:
    TuningObject(sdbus::IConnection& bus, Authorizer& authorizer, manager::Manager& manager);
    ~TuningObject();
    TuningObject(const TuningObject&) = delete;
    TuningObject& operator=(const TuningObject&) = delete;

    // Emits PropertiesChanged for the values that differ.
    void publish(const manager::TuningState& state);

private:
    void Apply(sdbus::Result<uint64_t>&& result) override;
    uint64_t MemoryLimit() override { return state_.memory_limit; }
    bool MemoryLimitKnown() override { return state_.memory_limit_known; }
    uint64_t ReservedHostMemory() override { return state_.reserved_host_memory; }

    Authorizer& authorizer_;
    manager::Manager& manager_;
    manager::TuningState state_;
};

} // namespace sevd::dbus
