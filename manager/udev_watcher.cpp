#include "manager/udev_watcher.h"

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

#include <libudev.h>

#include "manager/uevent_filter.h"

namespace sevd::manager {
namespace {

struct DeviceUnref {
    void operator()(udev_device* d) const { udev_device_unref(d); }
};
using Device = std::unique_ptr<udev_device, DeviceUnref>;

std::runtime_error udev_failure(const char* step, int rc) {
    return std::runtime_error(std::string("udev ") + step + " failed: " + std::strerror(-rc));
}

const char* or_empty(const char* s) {
    return s != nullptr ? s : "";
}

} // namespace

void UdevWatcher::UdevUnref::operator()(udev* u) const {
    udev_unref(u);
}
void UdevWatcher::MonitorUnref::operator()(udev_monitor* m) const {
    udev_monitor_unref(m);
}

UdevWatcher::UdevWatcher() : udev_(udev_new()) {
    if (!udev_)
        throw std::runtime_error("udev_new failed (out of memory)");
    monitor_.reset(udev_monitor_new_from_netlink(udev_.get(), "kernel"));
    if (!monitor_)
        throw std::runtime_error(std::string("udev kernel netlink monitor: ") +
                                 std::strerror(errno) + " (needs CAP_NET_ADMIN or root)");
    for (const char* subsystem : {"misc", "module"}) {
        const int rc =
            udev_monitor_filter_add_match_subsystem_devtype(monitor_.get(), subsystem, nullptr);
        if (rc < 0)
            throw udev_failure("filter", rc);
    }
    if (const int rc = udev_monitor_enable_receiving(monitor_.get()); rc < 0)
        throw udev_failure("enable receiving", rc);
}

UdevWatcher::~UdevWatcher() = default;

int UdevWatcher::fd() const {
    return udev_monitor_get_fd(monitor_.get());
}

bool UdevWatcher::drain() {
    bool relevant = false;
    // The monitor fd is non-blocking: receive until nothing is left.
    while (Device device{udev_monitor_receive_device(monitor_.get())}) {
        relevant |= is_relevant_uevent(or_empty(udev_device_get_subsystem(device.get())),
                                       or_empty(udev_device_get_sysname(device.get())));
    }
    return relevant;
}

} // namespace sevd::manager
