#include "dbus/tuning_object.h"

#include <string>
#include <vector>

#include "dbus/bus_names.h"

namespace sevd::dbus {

TuningObject::TuningObject(sdbus::IConnection& bus, Authorizer& authorizer, TuningState state,
                           ApplyHandler apply)
    : AdaptorInterfaces(bus, kTuningPath), authorizer_(authorizer), state_(state),
      apply_(std::move(apply)) {
    registerAdaptor();
}

TuningObject::~TuningObject() {
    unregisterAdaptor();
}

void TuningObject::publish(const TuningState& state) {
    std::vector<std::string> changed;
    if (state.memory_limit != state_.memory_limit)
        changed.emplace_back("MemoryLimit");
    if (state.memory_limit_known != state_.memory_limit_known)
        changed.emplace_back("MemoryLimitKnown");
    if (state.reserved_host_memory != state_.reserved_host_memory)
        changed.emplace_back("ReservedHostMemory");
    state_ = state;
    if (!changed.empty())
        getObject().emitPropertiesChangedSignal(kTuningInterface, changed);
}

void TuningObject::Apply(sdbus::Result<uint64_t>&& result) {
    authorizer_.require(getObject().getCurrentlyProcessedMessage()->getSender(), kTuneAction);
    apply_(std::move(result));
}

} // namespace sevd::dbus
