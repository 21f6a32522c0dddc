#include "libvirt_helper/event_subscription.h"

#include <optional>
#include <stdexcept>

#include "launcher/lifecycle_event.h"
#include "libvirt_helper/libvirt_handles.h"

namespace sevd::libvirt_helper {

using launcher::close_reason;
using launcher::DomainStarted;
using launcher::DomainStopped;
using launcher::is_start;
using launcher::stop_reason;
namespace {

using SinkRef = std::shared_ptr<EventSubscription::Sink>;

SinkRef& sink_of(void* opaque) {
    return *static_cast<SinkRef*>(opaque);
}

// libvirt's free callback for each registration's opaque pointer.
void free_sink_ref(void* opaque) {
    delete static_cast<SinkRef*>(opaque);
}

std::optional<DomainStopped> stopped_domain(virDomainPtr domain, int event, int detail) {
    auto reason = stop_reason(event, detail);
    if (!reason)
        return std::nullopt;
    // Both are read from the handle libvirt passes in: no call to libvirtd.
    const char* name = virDomainGetName(domain);
    char uuid[VIR_UUID_STRING_BUFLEN] = {};
    if (name == nullptr || virDomainGetUUIDString(domain, uuid) != 0)
        return std::nullopt;
    return DomainStopped{name, uuid, std::move(*reason)};
}

std::optional<DomainStarted> started_domain(virDomainPtr domain, int event) {
    if (!is_start(event))
        return std::nullopt;
    const char* name = virDomainGetName(domain);
    char uuid[VIR_UUID_STRING_BUFLEN] = {};
    if (name == nullptr || virDomainGetUUIDString(domain, uuid) != 0)
        return std::nullopt;
    return DomainStarted{name, uuid};
}

int on_lifecycle(virConnectPtr /*conn*/, virDomainPtr domain, int event, int detail, void* opaque) {
    auto stopped = stopped_domain(domain, event, detail);
    auto started = started_domain(domain, event);
    auto& sink = *sink_of(opaque);
    std::lock_guard lock(sink.mutex);
    if (stopped && sink.handlers.on_domain_stopped)
        sink.handlers.on_domain_stopped(std::move(*stopped));
    if (started && sink.handlers.on_domain_started)
        sink.handlers.on_domain_started(std::move(*started));
    return 0;
}

void on_close(virConnectPtr /*conn*/, int reason, void* opaque) {
    auto& sink = *static_cast<EventSubscription::Sink*>(opaque);
    sink.closed.store(true);
    std::lock_guard lock(sink.mutex);
    if (sink.handlers.on_connection_closed)
        sink.handlers.on_connection_closed(close_reason(reason));
}

} // namespace

EventSubscription::EventSubscription(virConnectPtr conn, LibvirtEvents handlers)
    : conn_(conn), sink_(std::make_shared<Sink>()) {
    sink_->handlers = std::move(handlers);
    // libvirt owns (and frees) an opaque pointer only once a registration succeeded.
    auto lifecycle_ref = std::make_unique<SinkRef>(sink_);
    lifecycle_id_ = virConnectDomainEventRegisterAny(conn_, nullptr, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                                     VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle),
                                                     lifecycle_ref.get(), free_sink_ref);
    if (lifecycle_id_ < 0)
        throw std::runtime_error("subscribing to domain lifecycle events failed: " +
                                 libvirt::last_error_message());
    lifecycle_ref.release();
    // Drivers without a close notion (test:///) accept it and never call it
    // (nor a free callback): the sink is passed unowned, as it outlives the
    // registration (libvirt calls the close callback under the lock that
    // unregistering takes, so none runs after deregister()).
    if (virConnectRegisterCloseCallback(conn_, on_close, sink_.get(), nullptr) != 0) {
        const auto why = libvirt::last_error_message();
        deregister();
        throw std::runtime_error("registering the connection-close callback failed: " + why);
    }
    close_registered_ = true;
}

EventSubscription::~EventSubscription() {
    {
        // Waits for a handler that runs right now; none runs after this.
        std::lock_guard lock(sink_->mutex);
        sink_->handlers = {};
    }
    deregister();
}

void EventSubscription::deregister() {
    // On a dead connection libvirt still drops the local registration (and
    // its reference on the connection); the failed RPC does not matter.
    if (close_registered_)
        virConnectUnregisterCloseCallback(conn_, on_close);
    if (lifecycle_id_ >= 0)
        virConnectDomainEventDeregisterAny(conn_, lifecycle_id_);
    close_registered_ = false;
    lifecycle_id_ = -1;
}

bool EventSubscription::connection_closed() const {
    return sink_->closed.load();
}

} // namespace sevd::libvirt_helper
