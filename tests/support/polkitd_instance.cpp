#include "tests/support/polkitd_instance.h"

#include <cstdlib>
#include <fstream>
#include <pwd.h>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <unistd.h>

#include "tests/support/sevd_daemon.h"

namespace sevd::test {
namespace {

const std::filesystem::path kActionsDir = "/usr/share/polkit-1/actions";
const std::filesystem::path kRulesDir = "/etc/polkit-1/rules.d";
// polkitd's debug line after each (re)load of the rules directories, e.g.
// "17:15:16.674: Finished loading, compiling and executing 4 rules".
constexpr std::string_view kRulesLoaded = "Finished loading, compiling and executing ";

std::string read_whole(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in)
        throw std::runtime_error("cannot read " + path.string());
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

bool private_mounts_allowed() {
    return run_command({"unshare", "--mount", "--propagation", "private", "true"}).exit_code == 0;
}

// The rule count of every load polkitd logged, oldest first.
std::vector<int> rule_loads(const std::string& log) {
    std::vector<int> counts;
    for (size_t at = log.find(kRulesLoaded); at != std::string::npos;
         at = log.find(kRulesLoaded, at + 1))
        counts.push_back(std::atoi(log.c_str() + at + kRulesLoaded.size()));
    return counts;
}

std::vector<std::string> polkitd_command(PolkitFileLocation location,
                                         const std::filesystem::path& actions_dir,
                                         const std::filesystem::path& rules_dir) {
    if (location == PolkitFileLocation::HostDirectories)
        return {kPolkitdBinary};
    // unshare and sh exec in place, so the PID is polkitd's; private
    // propagation keeps the bind mounts out of the host's namespace.
    return {"unshare",
            "--mount",
            "--propagation",
            "private",
            "sh",
            "-c",
            R"(mount --bind "$1" "$2" && mount --bind "$3" "$4" && exec "$5")",
            "sh",
            actions_dir.string(),
            kActionsDir.string(),
            rules_dir.string(),
            kRulesDir.string(),
            kPolkitdBinary};
}

} // namespace

std::optional<std::string> polkitd_unavailable_reason() {
    if (geteuid() != 0)
        return "needs root: polkitd starts as root and switches to user polkitd itself";
    if (access(kPolkitdBinary, X_OK) != 0)
        return std::string(kPolkitdBinary) + " is missing (Debian package polkitd)";
    if (getpwnam("polkitd") == nullptr)
        return "user polkitd does not exist (the polkitd package creates it)";
    if (!std::filesystem::exists(kPolkitBusPolicyFile))
        return std::string(kPolkitBusPolicyFile) + " is missing (Debian package polkitd)";
    return std::nullopt;
}

PolkitdInstance::PolkitdInstance(const PrivateBus& bus,
                                 const std::vector<std::filesystem::path>& action_files)
    : location_(private_mounts_allowed() ? PolkitFileLocation::PrivateMounts
                                         : PolkitFileLocation::HostDirectories) {
    if (location_ == PolkitFileLocation::PrivateMounts) {
        actions_dir_ = dir_.path() / "actions";
        rules_dir_ = dir_.path() / "rules.d";
        for (const auto& dir : {actions_dir_, rules_dir_}) {
            std::filesystem::create_directories(dir);
            // polkitd reads them as user polkitd.
            std::filesystem::permissions(dir, std::filesystem::perms(0755));
        }
    } else {
        actions_dir_ = kActionsDir;
        rules_dir_ = kRulesDir;
    }
    for (const auto& file : action_files)
        actions_.push_back(
            std::make_unique<ScopedFile>(actions_dir_ / file.filename(), read_whole(file)));

    ChildOptions options;
    options.env = bus.env();
    options.output_file = dir_.path() / "polkitd.log";
    process_ = std::make_unique<ChildProcess>(polkitd_command(location_, actions_dir_, rules_dir_),
                                              options);
    if (!wait_for_bus_name(bus.address(), kPolkitBusName, std::chrono::seconds(10), process_.get()))
        throw std::runtime_error(
            "polkitd did not take org.freedesktop.PolicyKit1 within 10 s; its log:\n" + log());
    const auto loads = rule_loads(log());
    if (loads.empty())
        throw std::runtime_error("polkitd is up but logged no rules load; its log:\n" + log());
    startup_rule_count_ = loads.back();
}

PolkitdInstance::~PolkitdInstance() {
    process_.reset(); // stop polkitd before its files go (members go in reverse order)
}

std::string PolkitdInstance::log() const {
    std::ifstream in(dir_.path() / "polkitd.log");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void PolkitdInstance::add_rule(const std::string& file_name, const std::string& javascript,
                               std::chrono::milliseconds timeout) {
    if (rules_.count(file_name) != 0)
        throw std::logic_error("rule " + file_name + " is already installed");
    const size_t loads_before = rule_loads(log()).size();
    rules_[file_name] = std::make_unique<ScopedFile>(rules_dir_ / file_name, javascript);
    wait_for_rules(loads_before, startup_rule_count_ + static_cast<int>(rules_.size()), timeout);
}

void PolkitdInstance::remove_rule(const std::string& file_name, std::chrono::milliseconds timeout) {
    const size_t loads_before = rule_loads(log()).size();
    if (rules_.erase(file_name) == 0)
        throw std::logic_error("rule " + file_name + " is not installed");
    wait_for_rules(loads_before, startup_rule_count_ + static_cast<int>(rules_.size()), timeout);
}

void PolkitdInstance::wait_for_rules(size_t loads_before, int expected,
                                     std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        const auto loads = rule_loads(log());
        if (loads.size() > loads_before && loads.back() == expected)
            return;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    throw std::runtime_error("polkitd did not reload with " + std::to_string(expected) +
                             " rules in " + rules_dir_.string() + "; its log:\n" + log());
}

} // namespace sevd::test
