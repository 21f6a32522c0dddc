// LD_PRELOAD shim for the uevent tests on machines without the devices sevd
// watches (no /dev/kvm, no kvm_amd or ccp module): the daemon's libudev
// monitor listens on the udev netlink group instead of the kernel's. libudev
// drops a kernel-group message whose sender is not the kernel (port id 0,
// which no process can have), but accepts one from root on the udev group, in
// the kernel's own message format; from there on the daemon's code is the
// same (udev_monitor_receive_device, the subsystem filter, is_relevant_uevent,
// the coalesced re-probe). tests/support/uevent_source.h sends those messages.
#include <cstring>
#include <dlfcn.h>

struct udev;
struct udev_monitor;

extern "C" udev_monitor* udev_monitor_new_from_netlink(udev* context, const char* name) {
    using Real = udev_monitor* (*)(udev*, const char*);
    static const auto real =
        reinterpret_cast<Real>(dlsym(RTLD_NEXT, "udev_monitor_new_from_netlink"));
    if (real == nullptr)
        return nullptr;
    if (name != nullptr && std::strcmp(name, "kernel") == 0)
        name = "udev";
    return real(context, name);
}
