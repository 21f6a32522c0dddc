// What libvirt tells the launcher's connection on its own, between calls: a
// domain started or stopped running, or the connection itself closed (libvirtd died or
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

// A domain started running (by sevd or by anyone else on the connection): it
// now holds an ASID slot and locked memory, which the ledger must count.
struct DomainStarted {
    std::string name;
    std::string uuid;

    bool operator==(const DomainStarted&) const = default;
};

struct LibvirtEvents {
    std::function<void(DomainStopped)> on_domain_stopped;
    std::function<void(DomainStarted)> on_domain_started;
    // The connection is gone; `reason` says why ("libvirtd closed it", ...).
    std::function<void(std::string reason)> on_connection_closed;

    bool wanted() const { return on_domain_stopped || on_domain_started || on_connection_closed; }
};

} // namespace sevd::launcher
