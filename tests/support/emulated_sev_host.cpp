#include "tests/support/emulated_sev_host.h"

#include <csignal>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <unistd.h>

#include "tests/support/libvirtd_instance.h"
#include "tests/support/wait_until.h"

namespace sevd::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

constexpr auto kStopGrace = 10s;
const fs::path kSupportDir = fs::path(SEVD_SOURCE_DIR) / "tests" / "support";
const fs::path kFakeQemu = kSupportDir / "fake-qemu" / "qemu-system-x86_64";
const fs::path kProbeReplies = kSupportDir / "fake-qemu" / "qemu-7.2-probe.json";
const fs::path kEnterScript = kSupportDir / "emulated-sev-host" / "enter-namespace.sh";
const fs::path kMemlockShim =
    fs::path(SEVD_BINARY_DIR) / "tests" / "support" / "sevd-test-memlock-shim";

// What the private libvirtd needs to run QEMU as root without touching the
// host: no security driver, no ownership changes (libvirt would otherwise
// write xattrs on the system's OVMF files), no cgroups or namespaces, QEMU's
// output to files instead of virtlogd.
constexpr const char* kQemuConf = R"(user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
security_driver = "none"
cgroup_controllers = [ ]
namespaces = [ ]
stdio_handler = "file"
hugetlbfs_mount = "/dev/hugepages"
)";
constexpr const char* kLibvirtdConf = R"(auth_unix_rw = "none"
auth_unix_ro = "none"
log_outputs = "3:stderr"
)";

json fake_config(const EmulatedSevHostOptions& options, const fs::path& log) {
    const auto& sev = options.sev;
    json config = {{"log", log.string()},
                   {"probe_replies", kProbeReplies.string()},
                   {"record", nullptr},
                   {"sev",
                    {{"cbitpos", sev.cbitpos},
                     {"reduced_phys_bits", sev.reduced_phys_bits},
                     {"pdh", sev.pdh},
                     {"cert_chain", sev.cert_chain},
                     {"cpu0_id", sev.cpu0_id},
                     {"measurement", sev.measurement},
                     {"api_major", sev.api_major},
                     {"api_minor", sev.api_minor},
                     {"build_id", sev.build_id}}}};
    if (options.record_to)
        config["record"] = {{"qemu", "/usr/bin/qemu-system-x86_64"},
                            {"out", options.record_to->string()}};
    return config;
}

std::string read_text(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// Whether `pid` still runs the fake QEMU of this tree (not a recycled pid).
bool runs_fake_of(pid_t pid, const fs::path& tree) {
    const auto cmdline = read_text("/proc/" + std::to_string(pid) + "/cmdline");
    return cmdline.find((tree / "bin").string()) != std::string::npos;
}

} // namespace

std::string EmulatedSevHost::unavailable_reason() {
    if (geteuid() != 0)
        return "the emulated SEV host needs root (mount namespace, system-mode libvirtd)";
    if (access(kLibvirtd, X_OK) != 0)
        return std::string(kLibvirtd) + " is not installed";
    if (access("/usr/bin/python3", X_OK) != 0)
        return "/usr/bin/python3 is not installed (the fake QEMU is Python)";
    if (access(kMemlockShim.c_str(), X_OK) != 0)
        return kMemlockShim.string() + " is not built";
    return {};
}

EmulatedSevHost::EmulatedSevHost(const EmulatedSevHostOptions& options) : tree_("sevd-sevhost") {
    write_tree(options);
    log_path_ = tree_.path() / "libvirtd.log";
    uri_ = "qemu+unix:///system?socket=" + (tree_.path() / "run/libvirt/libvirt-sock").string();
    std::vector<std::string> argv = {
        kMemlockShim.string(), "unshare", "--mount", "--net",
        "--propagation",       "private", "/bin/sh", kEnterScript.string(),
        tree_.path().string()};
    if (options.destdir)
        argv.push_back(options.destdir->string());
    ChildOptions child;
    child.output_file = log_path_;
    daemon_.emplace(argv, child);
    wait_until_listening(options.timeout);
}

EmulatedSevHost::~EmulatedSevHost() {
    stop();
}

void EmulatedSevHost::write_tree(const EmulatedSevHostOptions& options) {
    const auto& root = tree_.path();
    fs::permissions(root, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
    fs::create_directories(root / "etc");
    fs::copy("/etc/libvirt", root / "etc/libvirt", fs::copy_options::recursive);
    // No autostarted network: it would need dnsmasq and the host's firewall.
    std::error_code ec;
    fs::remove_all(root / "etc/libvirt/qemu/networks/autostart", ec);
    write_file(root / "etc/libvirt/qemu.conf", kQemuConf);
    write_file(root / "etc/libvirt/libvirtd.conf", kLibvirtdConf);
    for (const char* dir :
         {"var/lib/libvirt", "var/cache/libvirt", "var/log/libvirt", "run", "dev", "bin"})
        fs::create_directories(root / dir);
    fs::create_symlink(kFakeQemu, root / "bin/qemu-system-x86_64");
    write_file(root / "bin/fake-qemu.json", fake_config(options, root / "qemu.log").dump(2));
    write_file(root / "qemu.log", "");
}

void EmulatedSevHost::wait_until_listening(std::chrono::seconds timeout) {
    const auto socket = tree_.path() / "run/libvirt/libvirt-sock";
    std::optional<int> exited;
    const bool up = wait_until(
        [&] {
            exited = daemon_->poll_exit();
            return exited || accepts_connections(socket);
        },
        timeout, 50ms);
    if (up && !exited)
        return;
    const auto log = libvirtd_log();
    stop();
    throw std::runtime_error("the emulated SEV host's libvirtd did not listen on " +
                             socket.string() + "; its log:\n" + log);
}

std::string EmulatedSevHost::libvirtd_log() const {
    return read_text(log_path_);
}

std::vector<json> EmulatedSevHost::qemu_log() const {
    std::vector<json> entries;
    std::ifstream in(tree_.path() / "qemu.log");
    // A line cut short (a process killed mid-write) is skipped.
    for (std::string line; std::getline(in, line);) {
        auto entry = json::parse(line, nullptr, false);
        if (entry.is_object())
            entries.push_back(std::move(entry));
    }
    return entries;
}

std::vector<std::string> EmulatedSevHost::domain_argv(const std::string& name) const {
    std::vector<std::string> argv;
    for (const auto& entry : qemu_log())
        if (entry.value("kind", "") == "start" && entry.value("mode", "") == "domain" &&
            entry.value("name", "") == name)
            argv = entry["argv"].get<std::vector<std::string>>();
    return argv;
}

pid_t EmulatedSevHost::domain_pid(const std::string& name) const {
    pid_t pid = -1;
    for (const auto& entry : qemu_log())
        if (entry.value("kind", "") == "start" && entry.value("mode", "") == "domain" &&
            entry.value("name", "") == name)
            pid = entry["pid"].get<pid_t>();
    return pid;
}

std::vector<json> EmulatedSevHost::qmp_commands(pid_t pid) const {
    std::vector<json> commands;
    for (const auto& entry : qemu_log())
        if (entry.value("kind", "") == "qmp" && entry.value("pid", -1) == pid)
            commands.push_back(entry);
    return commands;
}

// A daemonized probe or guest outlives libvirtd; each logged its pid first.
void EmulatedSevHost::kill_fake_qemus() {
    for (const auto& entry : qemu_log()) {
        if (entry.value("kind", "") != "start")
            continue;
        const auto pid = entry["pid"].get<pid_t>();
        if (runs_fake_of(pid, tree_.path()))
            kill(pid, SIGKILL);
    }
}

void EmulatedSevHost::stop() {
    if (!daemon_)
        return;
    kill_fake_qemus();
    if (!daemon_->stop(SIGTERM, kStopGrace))
        daemon_->stop(SIGKILL, kStopGrace);
    daemon_.reset();
}

} // namespace sevd::test
