// `sevdctl launch NAME --memory SIZE --vcpus N --disk PATH [--disk-format
// raw|qcow2] [--network NAME]... [--seed PATH] [--property K=V]...
// [--attest --dh-cert F --session F] [--print-xml] [--json]`:
// Launcher1.Launch (or Plan with --print-xml).
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/sevdctl_commands.h"
#include "cli/sevdctl_size.h"
#include "dbus/call_timeouts.h"
#include "dbus/launcher_client.h"

namespace sevd::cli {
namespace {

struct LaunchArgs {
    std::string name;
    std::string memory; // SIZE: MiB, or with a unit
    uint32_t vcpus = 0;
    std::string disk;
    std::string disk_format;
    std::vector<std::string> networks;
    std::string seed;
    std::vector<std::string> properties; // KEY=VALUE
    bool print_xml = false;
    bool json = false;
    bool attest = false;
    std::string dh_cert; // files with base64 text
    std::string session;
};

// --attest --dh-cert F --session F: the attestation options, from the files.

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

// An option's value as a property; the same key given both ways is ambiguous.
void set_option(std::map<std::string, std::string>& properties, const char* option,
                const std::string& key, const std::string& value) {
    if (value.empty())
        return;
    if (properties.count(key) != 0)
        throw CLI::ValidationError(option, "given both as " + std::string(option) +
                                               " and as --property " + key + "=...; give it once");
    properties[key] = value;
}

// The daemon resolves paths itself and has another working directory.
std::string absolute(const std::string& path) {
    return path.empty() ? path : std::filesystem::absolute(path).lexically_normal().string();
}

std::string joined(const std::vector<std::string>& names) {
    std::string text;
    for (const auto& name : names)
        text += (text.empty() ? "" : ",") + name;
    return text;
}

// --attest and its blobs as the launch options of attestation_rules.h.
void add_attestation(const LaunchArgs& args, std::map<std::string, std::string>& properties) {
    if (!args.attest) {
        if (!args.dh_cert.empty() || !args.session.empty())
            throw CLI::ValidationError("--dh-cert/--session", "only with --attest");
        return;
    }
    if (args.dh_cert.empty() || args.session.empty())
        throw CLI::ValidationError("--attest", "needs --dh-cert FILE and --session FILE");
    set_option(properties, "--attest", "sevd:attestation", "true");
    set_option(properties, "--dh-cert", "sevd:dh_cert",
               read_base64_file("--dh-cert", args.dh_cert));
    set_option(properties, "--session", "sevd:session",
               read_base64_file("--session", args.session));
}

std::map<std::string, std::string> request_properties(const LaunchArgs& args) {
    auto properties = parse_properties(args.properties);
    set_option(properties, "--disk-format", "disk_format", args.disk_format);
    set_option(properties, "--network", "sevd:network", joined(args.networks));
    set_option(properties, "--seed", "sevd:seed", absolute(args.seed));
    add_attestation(args, properties);
    return properties;
}

uint64_t memory_mib(const std::string& text) {
    std::string error;
    const auto mib = parse_size_mib(text, error);
    if (!mib)
        throw CLI::ValidationError("--memory", error);
    return *mib;
}

int run_launch(const CtlGlobals& globals, const LaunchArgs& args) {
    const auto properties = request_properties(args);
    const auto memory = memory_mib(args.memory);
    const auto disk = absolute(args.disk);
    const auto timeout = args.print_xml ? dbus::call_timeout::kPlan : dbus::call_timeout::kLaunch;
    return run_bus_call("launch", globals, args.json, timeout, [&](sdbus::IConnection& bus) {
        dbus::LauncherClient launcher(bus);
        if (args.print_xml) {
            const auto xml = launcher.Plan(args.name, memory, args.vcpus, disk, properties);
            if (args.json)
                std::cout << nlohmann::json{{"name", args.name}, {"domain_xml", xml}}.dump(2)
                          << "\n";
            else
                std::cout << xml;
            return kCtlOk;
        }
        // --json reports the XML too: Plan gives the one Launch defines.
        std::string xml;
        if (args.json) {
            bus.setMethodCallTimeout(dbus::call_timeout::kPlan);
            xml = launcher.Plan(args.name, memory, args.vcpus, disk, properties);
            bus.setMethodCallTimeout(timeout);
        }
        const auto uuid = launcher.Launch(args.name, memory, args.vcpus, disk, properties);
        if (args.json)
            std::cout
                << nlohmann::json{{"name", args.name}, {"uuid", uuid}, {"domain_xml", xml}}.dump(2)
                << "\n";
        else
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
    cmd->add_option("--memory", args->memory,
                    "guest RAM: MiB, or with a binary unit M/MiB, G/GiB, T/TiB (e.g. 2G)")
        ->required();
    cmd->add_option("--vcpus", args->vcpus, "virtual CPUs")->required();
    cmd->add_option("--disk", args->disk,
                    "boot disk image inside the configured image_dirs (relative: from here)")
        ->required();
    cmd->add_option("--disk-format", args->disk_format,
                    "the image's format: raw (default) or qcow2; never guessed")
        ->check(CLI::IsMember({"raw", "qcow2"}));
    cmd->add_option("--network", args->networks,
                    "libvirt network to join with a virtio NIC (repeatable; each allowed by "
                    "[guests] networks)");
    cmd->add_option("--seed", args->seed,
                    "first-boot seed image, e.g. a cloud-init NoCloud ISO, inside image_dirs "
                    "(attached read-only as a CD-ROM)");
    cmd->add_option("--property", args->properties,
                    "flavor extra spec or image property, KEY=VALUE (repeatable), e.g. "
                    "hw_mem_encryption_model=amd-sev-es");
    cmd->add_flag("--print-xml", args->print_xml,
                  "only validate and print the domain XML (Plan); starts nothing");
    cmd->add_flag("--json", args->json,
                  "print JSON only: {name, uuid, domain_xml}, or {error, name} when refused");
    cmd->add_flag("--attest", args->attest,
                  "start paused for attestation (then: measurement, inject, resume)");
    cmd->add_option("--dh-cert", args->dh_cert,
                    "with --attest: file with the owner's GODH certificate, base64");
    cmd->add_option("--session", args->session,
                    "with --attest: file with the owner's launch session blob, base64");
    cmd->callback([&globals, &exit_code, args] { exit_code = run_launch(globals, *args); });
}

} // namespace sevd::cli
