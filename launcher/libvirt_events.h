// What libvirt tells the launcher's connection on its own, between calls: a
// domain stopped running, or the connection itself closed (libvirtd died or
// restarted). The handlers run on libvirt's event-loop thread
// (LibvirtEventLoop): they must only hand the work on (post it to another
// thread), never block and never call libvirt.
#pragma once

#include <functional>
#include <string>

namespace sevd::launcher {

// A domain whose emulator process ended, and with it its hold on an ASID slot
// and on locked memory.
struct DomainStopped {
    std::string name;
    std::string uuid;
    std::string reason; // "shut down", "destroyed", "crashed", ... (for the log)

    bool operator==(const DomainStopped&) const = default;
};

struct LibvirtEvents {
    std::function<void(DomainStopped)> on_domain_stopped;
    // The connection is gone; `reason` says why ("libvirtd closed it", ...).
    std::function<void(std::string reason)> on_connection_closed;

    bool wanted() const { return on_domain_stopped || on_connection_closed; }
};

} // namespace sevd::launcher
