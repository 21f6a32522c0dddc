// RAII for the launcher's callbacks on one libvirt connection: domain
// lifecycle events (VIR_DOMAIN_EVENT_ID_LIFECYCLE) and the connection's close
// callback, registered on construction and deregistered on destruction
// (before the connection is closed: each registration holds a reference on
// it). libvirt calls back on its event-loop thread (LibvirtEventLoop); the
// callbacks only read the domain's name and UUID (local, no RPC) and pass
// plain values to the LibvirtEvents handlers. After destruction no handler
// runs any more, even when libvirt was dispatching at that moment.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>

#include <libvirt/libvirt.h>

#include "launcher/libvirt_events.h"

namespace sevd::libvirt_helper {

using launcher::LibvirtEvents;

class EventSubscription {
public:
    // Throws std::runtime_error when libvirt refuses a registration (e.g. no
    // event loop is registered); nothing stays registered then.
    EventSubscription(virConnectPtr conn, LibvirtEvents handlers);
    ~EventSubscription();
    EventSubscription(const EventSubscription&) = delete;
    EventSubscription& operator=(const EventSubscription&) = delete;

    // True once libvirt reported the connection closed.
    bool connection_closed() const;

    // The state libvirt's callbacks reach. The lifecycle callback holds it
    // through a heap-held shared_ptr that libvirt frees with the registration
    // (so it outlives a dispatch under way while this object goes away).
    struct Sink {
        std::mutex mutex;
        LibvirtEvents handlers; // cleared on detach
        std::atomic<bool> closed{false};
    };

private:
    void deregister();

    virConnectPtr conn_;
    std::shared_ptr<Sink> sink_;
    int lifecycle_id_ = -1;
    bool close_registered_ = false;
};

} // namespace sevd::libvirt_helper
