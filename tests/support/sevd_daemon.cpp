#include "tests/support/sevd_daemon.h"

#include <fstream>
#include <signal.h>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <sdbus-c++/sdbus-c++.h>

namespace sevd::test {

bool wait_for_bus_name(const std::string& address, const std::string& name,
                       std::chrono::milliseconds timeout, ChildProcess* owner_process) {
    auto bus = sdbus::createSessionBusConnectionWithAddress(address);
    auto dbus = sdbus::createProxy(*bus, "org.freedesktop.DBus", "/org/freedesktop/DBus");
    dbus->finishRegistration();
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        bool has_owner = false;
        dbus->callMethod("NameHasOwner")
            .onInterface("org.freedesktop.DBus")
            .withArguments(name)
            .storeResultsTo(has_owner);
        if (has_owner)
            return true;
        if (owner_process != nullptr && owner_process->poll_exit())
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return false;
}

SevdDaemonOptions daemon_options(const std::filesystem::path& root) {
    SevdDaemonOptions options;
    options.root = root;
    return options;
}

LaunchSetup launch_setup(TempDir& dir, const std::filesystem::path& fixture) {
    LaunchSetup setup;
    setup.root = dir.copy_in(fixture, "host");
    setup.disk = (dir.path() / "images/disk.img").string();
    write_file(setup.disk, "raw disk");
    const auto config = dir.path() / "sevd.conf";
    write_file(config, "[guests]\nimage_dirs = " + (dir.path() / "images").string() + "\n");
    setup.options = daemon_options(setup.root);
    setup.options.libvirt_uri = "test:///default";
    setup.options.config = config;
    return setup;
}

SevdDaemon::SevdDaemon(const PrivateBus& bus, const SevdDaemonOptions& options) {
    std::filesystem::path config = dir_.path() / "sevd.conf";
    if (options.config)
        config = *options.config;
    else
        write_file(config, "");
    std::vector<std::string> argv = {kSevdBinary, "serve",        "--bus",
                                     "system",    "--root",       options.root.string(),
                                     "--config",  config.string()};
    if (!options.libvirt_uri.empty()) // empty: none given (a snapshot replays its own libvirt)
        argv.insert(argv.end(), {"--libvirt-uri", options.libvirt_uri});
    argv.insert(argv.end(), options.extra_args.begin(), options.extra_args.end());
    ChildOptions child;
    child.env = bus.env();
    child.env.insert(options.env.begin(), options.env.end());
    child.output_file = dir_.path() / "sevd.log";
    child.cpu = options.cpu;
    process_ = std::make_unique<ChildProcess>(argv, child);
    if (options.wait_for_name && !wait_for_bus_name(bus.address(), "org.sevd.Host1",
                                                    std::chrono::seconds(10), process_.get()))
        throw std::runtime_error("sevd serve did not take org.sevd.Host1 within 10 s; its log:\n" +
                                 log());
}

SevdDaemon::~SevdDaemon() {
    process_.reset();
}

std::string SevdDaemon::log() const {
    std::ifstream in(dir_.path() / "sevd.log");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::optional<int> SevdDaemon::stop() {
    return process_->stop(SIGTERM, std::chrono::seconds(10));
}

} // namespace sevd::test
