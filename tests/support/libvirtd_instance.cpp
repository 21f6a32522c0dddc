#include "tests/support/libvirtd_instance.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <grp.h>
#include <pwd.h>
#include <sstream>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace sevd::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr auto kStopGrace = 10s;
constexpr auto kPollInterval = 50ms;

bool running_as_root() {
    return geteuid() == 0;
}

// setpriv drops to nobody; pdeathsig is set after the uid change (which clears it).
std::vector<std::string> daemon_argv() {
    if (!running_as_root())
        return {LibvirtdInstance::kBinary};
    std::string groups = "nogroup";
    if (getgrnam("kvm") != nullptr)
        groups += ",kvm"; // /dev/kvm, so type='kvm' domains are accepted
    return {"setpriv",
            "--reuid=nobody",
            "--regid=nogroup",
            "--groups=" + groups,
            "--pdeathsig=SIGKILL",
            LibvirtdInstance::kBinary};
}

void hand_tree_to_daemon(const fs::path& root) {
    if (!running_as_root())
        return;
    const passwd* nobody = getpwnam("nobody");
    if (nobody == nullptr)
        throw std::runtime_error(
            "running as root but there is no user 'nobody' to run libvirtd as");
    auto give = [&](const fs::path& path) {
        if (lchown(path.c_str(), nobody->pw_uid, nobody->pw_gid) != 0)
            throw std::runtime_error("chown " + path.string() + ": " + std::strerror(errno));
    };
    give(root);
    for (const auto& entry : fs::recursive_directory_iterator(root))
        give(entry.path());
}

} // namespace

bool accepts_connections(const std::filesystem::path& socket_path) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const auto text = socket_path.string();
    if (text.size() >= sizeof(address.sun_path))
        return false;
    std::memcpy(address.sun_path, text.c_str(), text.size() + 1);
    const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    const bool ok = connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
    close(fd);
    return ok;
}

bool LibvirtdInstance::available() {
    return access(kBinary, X_OK) == 0;
}

LibvirtdInstance::LibvirtdInstance(std::chrono::seconds timeout)
    : timeout_(timeout), tree_("sevd-libvirtd") {
    const auto& root = tree_.path();
    for (const char* dir : {"config", "runtime", "cache", "data", "home"})
        fs::create_directory(root / dir);
    fs::permissions(root / "runtime", fs::perms::owner_all);
    fs::permissions(root, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
    hand_tree_to_daemon(root);
    socket_ = root / "runtime" / "libvirt" / "libvirt-sock";
    log_path_ = root / "libvirtd.log";
    uri_ = "qemu:///session?socket=" + socket_.string();
    start();
}

LibvirtdInstance::~LibvirtdInstance() {
    stop();
}

void LibvirtdInstance::start() {
    if (daemon_)
        return;
    std::error_code ec;
    fs::remove(socket_, ec); // a stale socket from the previous run must not look alive
    const auto& root = tree_.path();
    ChildOptions options;
    options.env = {{"HOME", (root / "home").string()},
                   {"XDG_CONFIG_HOME", (root / "config").string()},
                   {"XDG_RUNTIME_DIR", (root / "runtime").string()},
                   {"XDG_CACHE_HOME", (root / "cache").string()},
                   {"XDG_DATA_HOME", (root / "data").string()}};
    options.output_file = log_path_;
    daemon_.emplace(daemon_argv(), options);
    wait_until_listening();
}

void LibvirtdInstance::wait_until_listening() {
    const auto deadline = std::chrono::steady_clock::now() + timeout_;
    while (std::chrono::steady_clock::now() < deadline) {
        if (auto status = daemon_->poll_exit()) {
            daemon_.reset();
            throw std::runtime_error("libvirtd exited during start-up (status " +
                                     std::to_string(*status) + "); its log:\n" + log());
        }
        if (accepts_connections(socket_))
            return;
        std::this_thread::sleep_for(kPollInterval);
    }
    stop();
    throw std::runtime_error("libvirtd did not listen on " + socket_.string() + " within " +
                             std::to_string(timeout_.count()) + " s; its log:\n" + log());
}

void LibvirtdInstance::stop() {
    if (!daemon_)
        return;
    if (!daemon_->stop(SIGTERM, kStopGrace))
        daemon_->stop(SIGKILL, kStopGrace);
    daemon_.reset();
}

void LibvirtdInstance::restart() {
    stop();
    start();
}

std::string LibvirtdInstance::log() const {
    std::ifstream in(log_path_);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

} // namespace sevd::test
