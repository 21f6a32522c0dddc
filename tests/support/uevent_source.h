// Kernel uevents for the kvm misc device, for the daemon's udev watcher
// (manager/udev_watcher.h). Where /sys/class/misc/kvm exists, the kernel sends a
// real one when its uevent file is written. Elsewhere the daemon under test
// runs with the udev_group_shim preloaded (daemon_env()) and each uevent is
// the kernel's message for that device, sent by root on the udev netlink
// group, which libudev accepts from uid 0 (a kernel-group message it accepts
// from the kernel only).
#pragma once

#include <map>
#include <string>

namespace sevd::test {

class UeventSource {
public:
    UeventSource();
    ~UeventSource();
    UeventSource(const UeventSource&) = delete;
    UeventSource& operator=(const UeventSource&) = delete;

    bool real_device() const { return real_; }
    // Environment for the daemon under test (the shim's LD_PRELOAD when synthetic).
    std::map<std::string, std::string> daemon_env() const;
    // One "change" uevent for misc/kvm; false (errno set) when it could not be sent.
    bool send_kvm_change();
    // Why a test cannot use this source here (not root), or empty.
    std::string unavailable_reason() const;

private:
    bool real_;
    int socket_ = -1;
    unsigned long long seqnum_ = 0;
};

} // namespace sevd::test
