// `sevd capture DIR [--libvirt-uri URI | --no-libvirt]`: write a snapshot of
// this host for offline analysis (`sevd probe --root DIR`) or bug reports.
#include <exception>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "cli/commands.h"
#include "config/config.h"
#include "libvirt_helper/libvirt_readings.h"
#include "probe/snapshot_writer.h"

namespace sevd::cli {
namespace {

struct CaptureArgs {
    std::string dir;
    std::string libvirt_uri;
    bool no_libvirt = false;
    std::string config_path = config::kDefaultConfigPath;
};

int run_capture(const CaptureArgs& args) {
    try {
        const auto config = config::load_config(args.config_path);
        const auto uri = args.libvirt_uri.empty() ? config.libvirt_uri : args.libvirt_uri;
        probe::LibvirtCapturer read_libvirt;
        if (!args.no_libvirt)
            read_libvirt = [&] { return libvirt::capture_libvirt(uri, config.machine_type); };
        const auto result = probe::capture_snapshot(args.dir, read_libvirt);
        std::cout << "wrote " << result.written.size() << " files to " << args.dir << "\n";
        for (const auto& note : result.notes)
            std::cout << "  not captured: " << note << "\n";
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "sevd capture: " << e.what() << "\n";
        return 2;
    }
}

} // namespace

void add_capture_command(CLI::App& app, int& exit_code) {
    auto args = std::make_shared<CaptureArgs>();
    auto* cmd = app.add_subcommand("capture", "Write a snapshot of this host (CPUID, /dev/sev "
                                              "status, kvm_amd, misc cgroup, libvirt) to DIR");
    cmd->add_option("DIR", args->dir, "new or empty directory")->required();
    auto* uri = cmd->add_option("--libvirt-uri", args->libvirt_uri,
                                "libvirt connection URI (default: the config's [libvirt] uri)");
    cmd->add_flag("--no-libvirt", args->no_libvirt, "do not record libvirt")->excludes(uri);
    cmd->add_option("--config", args->config_path,
                    "the daemon's configuration (libvirt URI, machine type)")
        ->default_str(config::kDefaultConfigPath);
    cmd->callback([args, &exit_code] { exit_code = run_capture(*args); });
}

} // namespace sevd::cli
