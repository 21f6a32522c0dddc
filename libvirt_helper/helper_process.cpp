#include "libvirt_helper/helper_process.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <thread>
#include <vector>

#include "common/unique_fd.h"
#include "launcher/launch_error.h"
#include "libvirt_helper/helper_link.h"

extern char** environ; // NOLINT: POSIX declares it nowhere else

namespace sevd::libvirt_helper {
namespace {

constexpr auto kReapPoll = std::chrono::milliseconds(5);

// RAII for the posix_spawn attribute objects.
class SpawnSetup {
public:
    SpawnSetup() {
        posix_spawn_file_actions_init(&actions_);
        posix_spawnattr_init(&attributes_);
    }
    ~SpawnSetup() {
        posix_spawn_file_actions_destroy(&actions_);
        posix_spawnattr_destroy(&attributes_);
    }
    SpawnSetup(const SpawnSetup&) = delete;
    SpawnSetup& operator=(const SpawnSetup&) = delete;

    posix_spawn_file_actions_t actions_;
    posix_spawnattr_t attributes_;
};

std::string describe(int status) {
    if (WIFEXITED(status))
        return "exited with status " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status))
        return "was killed by signal " + std::to_string(WTERMSIG(status)) + " (" +
               strsignal(WTERMSIG(status)) + ")";
    return "ended (wait status " + std::to_string(status) + ")";
}

[[noreturn]] void cannot_start(const std::filesystem::path& binary, int error) {
    throw launcher::LaunchError(launcher::ErrorCode::Libvirt,
                                "cannot start " + binary.string() + ": " + std::strerror(error) +
                                    " (sevd talks to libvirt through this helper; reinstall sevd "
                                    "if it is missing)");
}

} // namespace

pid_t spawn_helper(const std::filesystem::path& binary, const std::string& uri, int link_fd) {
    // Above kHelperLinkFd, so the dup2 below really copies (and clears
    // close-on-exec) instead of being a no-op on the same number.
    const UniqueFd high(::fcntl(link_fd, F_DUPFD_CLOEXEC, kHelperLinkFd + 1));
    if (!high)
        cannot_start(binary, errno);
    SpawnSetup setup;
    posix_spawn_file_actions_adddup2(&setup.actions_, high.get(), kHelperLinkFd);
    posix_spawn_file_actions_addclosefrom_np(&setup.actions_, kHelperLinkFd + 1);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&setup.attributes_, &none);
    sigset_t defaults;
    sigfillset(&defaults);
    posix_spawnattr_setsigdefault(&setup.attributes_, &defaults);
    posix_spawnattr_setflags(&setup.attributes_, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

    std::vector<std::string> args{binary.string(), "--fd", std::to_string(kHelperLinkFd), "--uri",
                                  uri};
    std::vector<char*> argv;
    for (auto& arg : args)
        argv.push_back(arg.data());
    argv.push_back(nullptr);
    pid_t pid = -1;
    const int rc = ::posix_spawn(&pid, binary.c_str(), &setup.actions_, &setup.attributes_,
                                 argv.data(), environ);
    if (rc != 0)
        cannot_start(binary, rc);
    return pid;
}

std::string reap_helper(pid_t pid, std::chrono::milliseconds grace) {
    const auto deadline = std::chrono::steady_clock::now() + grace;
    int status = 0;
    for (;;) {
        const pid_t done = ::waitpid(pid, &status, WNOHANG);
        if (done == pid)
            return describe(status);
        if (done < 0 && errno != EINTR)
            return std::string("could not be waited for: ") + std::strerror(errno);
        if (std::chrono::steady_clock::now() >= deadline)
            break;
        std::this_thread::sleep_for(kReapPoll);
    }
    ::kill(pid, SIGKILL); // not reaped yet, so the pid is still this child's
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            return std::string("could not be waited for: ") + std::strerror(errno);
    }
    return describe(status) + " (killed after " + std::to_string(grace.count()) +
           " ms without exiting)";
}

} // namespace sevd::libvirt_helper
