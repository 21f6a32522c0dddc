// Starting and reaping the sevd-libvirt process (I/O; the link decides when).
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <sys/types.h>

namespace sevd::libvirt_helper {

// Starts `binary --fd <kHelperLinkFd> --uri <uri>` with `link_fd` as its
// descriptor kHelperLinkFd and no other descriptor of this process, an empty
// signal mask and default signal actions (the daemon blocks its signals for
// its signalfd). Throws launcher::LaunchError(Libvirt) naming the binary.
pid_t spawn_helper(const std::filesystem::path& binary, const std::string& uri, int link_fd);

// Waits for `pid` to exit, SIGKILLs it when it has not within `grace`, and
// says how it ended ("exited with status 0", "was killed by signal 9").
std::string reap_helper(pid_t pid, std::chrono::milliseconds grace);

} // namespace sevd::libvirt_helper
