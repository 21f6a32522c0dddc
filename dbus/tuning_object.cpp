#include "dbus/tuning_object.h"

#include <string>
#include <vector>

#include "dbus/bus_names.h"
#include "dbus/reply.h"

namespace sevd::dbus {

TuningObject::TuningObject(sdbus::IConnection& bus, Authorizer& authorizer,
                           manager::Manager& manager)
    : AdaptorInterfaces(bus, kTuningPath), authorizer_(authorizer), manager_(manager),
      state_(manager.tuning_state()) {
    registerAdaptor();
}

TuningObject::~TuningObject() {
    unregisterAdaptor();
}

void TuningObject::publish(const manager::TuningState& state) {
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
    manager_.apply_tuning(
        reply_to<uint64_t>(std::move(result), [](sdbus::Result<uint64_t>& reply, uint64_t limit) {
            reply.returnResults(limit);
        }));
}

} // namespace sevd::dbus
