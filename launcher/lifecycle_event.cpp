#include "launcher/lifecycle_event.h"

#include <libvirt/libvirt.h>

namespace sevd::launcher {

std::optional<std::string> stop_reason(int event, int detail) {
    if (event != VIR_DOMAIN_EVENT_STOPPED)
        return std::nullopt;
    switch (detail) {
    case VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN:
        return "shut down";
    case VIR_DOMAIN_EVENT_STOPPED_DESTROYED:
        return "destroyed (forced off from the host)";
    case VIR_DOMAIN_EVENT_STOPPED_CRASHED:
        return "crashed";
    case VIR_DOMAIN_EVENT_STOPPED_MIGRATED:
        return "migrated to another host";
    case VIR_DOMAIN_EVENT_STOPPED_SAVED:
        return "saved to a state file";
    case VIR_DOMAIN_EVENT_STOPPED_FAILED:
        return "failed (the emulator or libvirt stopped it on an error)";
    case VIR_DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT:
        return "stopped by loading an offline snapshot";
    default: // a detail newer than this libvirt's headers: still stopped
        return "stopped (libvirt detail " + std::to_string(detail) + ")";
    }
}

bool is_start(int event) {
    return event == VIR_DOMAIN_EVENT_STARTED;
}

std::string close_reason(int reason) {
    switch (reason) {
    case VIR_CONNECT_CLOSE_REASON_ERROR:
        return "an I/O error on the connection";
    case VIR_CONNECT_CLOSE_REASON_EOF:
        return "libvirtd closed the connection (stopped, restarted or crashed)";
    case VIR_CONNECT_CLOSE_REASON_KEEPALIVE:
        return "libvirtd stopped answering keepalive probes";
    case VIR_CONNECT_CLOSE_REASON_CLIENT:
        return "closed by sevd";
    default:
        return "closed (libvirt reason " + std::to_string(reason) + ")";
    }
}

} // namespace sevd::launcher
