// `sevdctl launch NAME --memory MiB --vcpus N --disk PATH [--property K=V]...
// [--print-xml] [--attest --dh-cert F --session F]`: Launcher1.Launch (or
// Plan with --print-xml).
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cli/sevdctl_commands.h"
#include "dbus/launcher_client.h"

namespace sevd::cli {
namespace {

struct LaunchArgs {
    std::string name;
    uint64_t memory_mib = 0;
    uint32_t vcpus = 0;
    std::string disk;
    std::vector<std::string> properties; // KEY=VALUE
    bool print_xml = false;
    bool attest = false;
    std::string dh_cert; // files with base64 text
    std::string session;
};

// --attest --dh-cert F --session F: the attestation options, from the files.
void add_attestation(const LaunchArgs& args, std::map<std::string, std::string>& properties) {
    if (!args.attest) {
        if (!args.dh_cert.empty() || !args.session.empty())
            throw CLI::ValidationError("--dh-cert/--session", "only with --attest");
        return;
    }
    if (args.dh_cert.empty() || args.session.empty())
        throw CLI::ValidationError("--attest", "needs --dh-cert FILE and --session FILE");
    properties["sevd:attestation"] = "true";
    properties["sevd:dh_cert"] = read_base64_file("--dh-cert", args.dh_cert);
    properties["sevd:session"] = read_base64_file("--session", args.session);
}

// "KEY=VALUE" pairs; a pair without '=' is a usage error naming it.
std::map<std::string, std::string> parse_properties(const std::vector<std::string>& pairs) {
    std::map<std::string, std::string> out;
    for (const auto& pair : pairs) {
        const auto eq = pair.find('=');
        if (eq == std::string::npos || eq == 0)
            throw CLI::ValidationError("--property", "'" + pair + "' is not KEY=VALUE");
        out[pair.substr(0, eq)] = pair.substr(eq + 1);
    }
    return out;
}

int run_launch(const CtlGlobals& globals, const LaunchArgs& args) {
    auto properties = parse_properties(args.properties);
    add_attestation(args, properties);
    return run_bus_call("launch", globals, false, [&](sdbus::IConnection& bus) {
        dbus::LauncherClient launcher(bus);
        if (args.print_xml) {
            std::cout << launcher.Plan(args.name, args.memory_mib, args.vcpus, args.disk,
                                       properties);
            return kCtlOk;
        }
        const auto uuid =
            launcher.Launch(args.name, args.memory_mib, args.vcpus, args.disk, properties);
        std::cout << "launched " << args.name << " (uuid " << uuid << ")"
                  << (args.attest ? ", paused for attestation" : "") << "\n";
        return kCtlOk;
    });
}

} // namespace

void add_launch_command(CLI::App& app, const CtlGlobals& globals, int& exit_code) {
    auto args = std::make_shared<LaunchArgs>();
    auto* cmd = app.add_subcommand("launch", "Launch an AMD SEV / SEV-ES guest through the daemon");
    cmd->add_option("NAME", args->name, "guest name")->required();
    cmd->add_option("--memory", args->memory_mib, "guest RAM in MiB")->required();
    cmd->add_option("--vcpus", args->vcpus, "virtual CPUs")->required();
    cmd->add_option("--disk", args->disk, "boot disk image (inside the configured image_dirs)")
        ->required();
    cmd->add_option("--property", args->properties,
                    "flavor extra spec or image property, KEY=VALUE (repeatable), e.g. "
                    "hw_mem_encryption_model=amd-sev-es");
    cmd->add_flag("--print-xml", args->print_xml,
                  "only validate and print the domain XML (Plan); starts nothing");
    cmd->add_flag("--attest", args->attest,
                  "start paused for attestation (then: measurement, inject, resume)");
    cmd->add_option("--dh-cert", args->dh_cert,
                    "with --attest: file with the owner's GODH certificate, base64");
    cmd->add_option("--session", args->session,
                    "with --attest: file with the owner's launch session blob, base64");
    cmd->callback([&globals, &exit_code, args] { exit_code = run_launch(globals, *args); });
}

} // namespace sevd::cli
