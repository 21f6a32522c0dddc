#include "tests/support/uevent_source.h"

#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <linux/netlink.h>
#include <string>
#include <sys/socket.h>
#include <unistd.h>

namespace sevd::test {
namespace {

constexpr const char* kKvmUevent = "/sys/class/misc/kvm/uevent";
constexpr const char* kKvmDevpath = "/devices/virtual/misc/kvm";
constexpr unsigned kUdevGroup = 2; // libudev's MONITOR_GROUP_UDEV

} // namespace

UeventSource::UeventSource() : real_(std::filesystem::exists(kKvmUevent)) {
    if (!real_)
        socket_ = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);
}

UeventSource::~UeventSource() {
    if (socket_ >= 0)
        close(socket_);
}

std::string UeventSource::unavailable_reason() const {
    if (geteuid() != 0)
        return "needs root (kernel uevents, or sending to a netlink group)";
    if (!real_ && socket_ < 0)
        return "cannot open a NETLINK_KOBJECT_UEVENT socket";
    return {};
}

std::map<std::string, std::string> UeventSource::daemon_env() const {
    if (real_)
        return {};
    std::string preload = SEVD_UDEV_GROUP_SHIM;
    if (const char* existing = std::getenv("LD_PRELOAD"); existing != nullptr && *existing)
        preload += std::string(":") + existing;
    // GCC's dynamic ASan runtime insists on coming first in the library list;
    // the shim only wraps one libudev function.
    std::string asan = "verify_asan_link_order=0";
    if (const char* existing = std::getenv("ASAN_OPTIONS"); existing != nullptr && *existing)
        asan = std::string(existing) + ":" + asan;
    return {{"LD_PRELOAD", preload}, {"ASAN_OPTIONS", asan}};
}

bool UeventSource::send_kvm_change() {
    if (real_) {
        const int fd = open(kKvmUevent, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
            return false;
        const bool ok = write(fd, "change", 6) == 6;
        close(fd);
        return ok;
    }
    // The kernel's format: "ACTION@DEVPATH", then KEY=VALUE, each NUL-terminated.
    std::string message = std::string("change@") + kKvmDevpath + '\0';
    for (const std::string& field :
         {std::string("ACTION=change"), std::string("DEVPATH=") + kKvmDevpath,
          std::string("SUBSYSTEM=misc"), std::string("DEVNAME=kvm"), std::string("MAJOR=10"),
          std::string("MINOR=232"), "SEQNUM=" + std::to_string(++seqnum_)})
        message += field + '\0';
    sockaddr_nl to{};
    to.nl_family = AF_NETLINK;
    to.nl_groups = 1U << (kUdevGroup - 1);
    return sendto(socket_, message.data(), message.size(), 0, reinterpret_cast<sockaddr*>(&to),
                  sizeof to) == static_cast<ssize_t>(message.size());
}

} // namespace sevd::test
