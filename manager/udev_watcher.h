// Kernel uevents (libudev "kernel" netlink monitor) for the misc and module
// subsystems, filtered by is_relevant_uevent(). The kernel source needs no
// udevd, so this works on hosts and containers without systemd-udevd.
#pragma once

#include <memory>

struct udev;
struct udev_monitor;

namespace sevd::manager {

class UdevWatcher {
public:
    UdevWatcher(); // throws std::runtime_error naming the failed step
    ~UdevWatcher();
    UdevWatcher(const UdevWatcher&) = delete;
    UdevWatcher& operator=(const UdevWatcher&) = delete;

    int fd() const;
    // Reads every pending event; true when at least one was relevant.
    bool drain();

private:
    struct UdevUnref {
        void operator()(udev* u) const;
    };
    struct MonitorUnref {
        void operator()(udev_monitor* m) const;
    };
    std::unique_ptr<udev, UdevUnref> udev_;
    std::unique_ptr<udev_monitor, MonitorUnref> monitor_;
};

} // namespace sevd::manager
