// Attestation from the guest owner's side: `sevdctl certs [--json]`,
// `sevdctl measurement NAME [--json]`, `sevdctl inject NAME --header F
// --secret F [--gpa N]`, `sevdctl resume NAME` (README "Attestation").
// Blob files hold base64 text, as sevctl, sev-tool and virsh use them.
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <tuple>

#include <nlohmann/json.hpp>

#include "cli/sevdctl_commands.h"
#include "dbus/call_timeouts.h"
#include "dbus/host_client.h"
#include "dbus/launcher_client.h"

namespace sevd::cli {

std::string read_base64_file(const std::string& option, const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw CLI::ValidationError(option, "cannot read '" + path + "'");
    std::stringstream text;
    text << in.rdbuf();
    // A trailing newline (base64's own output ends with one) is layout, not data.
    auto value = text.str();
    while (!value.empty() && (value.back() == '\n' || value.back() == '\r'))
        value.pop_back();
    return value;
}

void add_certs_command(CLI::App& app, const CtlGlobals& globals, int& exit_code) {
    auto json = std::make_shared<bool>(false);
    auto* cmd = app.add_subcommand(
        "certs", "Print the platform's SEV certificates (PDH and chain, base64) for attestation");
    cmd->add_flag("--json", *json, "print JSON only");
    cmd->callback([&globals, &exit_code, json] {
        exit_code =
            run_bus_call("certs", globals, *json, dbus::call_timeout::kAttestation,
                         [&](sdbus::IConnection& bus) {
                             dbus::HostClient host(bus);
                             const auto [pdh, chain] = host.Certificates();
                             if (*json)
                                 std::cout
                                     << nlohmann::json{{"pdh", pdh}, {"cert_chain", chain}}.dump(2)
                                     << "\n";
                             else
                                 std::cout << "pdh: " << pdh << "\ncert_chain: " << chain << "\n";
                             return kCtlOk;
                         });
    });
}

void add_measurement_command(CLI::App& app, const CtlGlobals& globals, int& exit_code) {
    auto name = std::make_shared<std::string>();
    auto json = std::make_shared<bool>(false);
    auto* cmd = app.add_subcommand(
        "measurement", "Print the launch measurement of a guest paused for attestation");
    cmd->add_option("NAME", *name, "guest name")->required();
    cmd->add_flag("--json", *json, "print JSON only");
    cmd->callback([&globals, &exit_code, name, json] {
        exit_code = run_bus_call("measurement", globals, *json, dbus::call_timeout::kAttestation,
                                 [&](sdbus::IConnection& bus) {
                                     dbus::LauncherClient launcher(bus);
                                     const auto [measurement, major, minor, build, policy] =
                                         launcher.Measurement(*name);
                                     if (*json) {
                                         std::cout << nlohmann::json{{"measurement", measurement},
                                                                     {"api_major", major},
                                                                     {"api_minor", minor},
                                                                     {"build_id", build},
                                                                     {"policy", policy}}
                                                          .dump(2)
                                                   << "\n";
                                         return kCtlOk;
                                     }
                                     std::cout << "measurement: " << measurement
                                               << "\napi: " << major << "." << minor
                                               << "\nbuild: " << build << "\npolicy: 0x" << std::hex
                                               << policy << std::dec << "\n";
                                     return kCtlOk;
                                 });
    });
}

void add_inject_command(CLI::App& app, const CtlGlobals& globals, int& exit_code) {
    struct Args {
        std::string name, header, secret;
        uint64_t gpa = 0;
    };
    auto args = std::make_shared<Args>();
    auto* cmd =
        app.add_subcommand("inject", "Inject a launch secret into a guest paused for attestation");
    cmd->add_option("NAME", args->name, "guest name")->required();
    cmd->add_option("--header", args->header, "file with the secret header, base64")->required();
    cmd->add_option("--secret", args->secret, "file with the wrapped secret, base64")->required();
    cmd->add_option("--gpa", args->gpa,
                    "guest physical address (default 0: the firmware's secret area)");
    cmd->callback([&globals, &exit_code, args] {
        const auto header = read_base64_file("--header", args->header);
        const auto secret = read_base64_file("--secret", args->secret);
        exit_code = run_bus_call("inject", globals, false, dbus::call_timeout::kAttestation,
                                 [&](sdbus::IConnection& bus) {
                                     dbus::LauncherClient launcher(bus);
                                     launcher.InjectSecret(args->name, header, secret, args->gpa);
                                     std::cout << "injected the launch secret into " << args->name
                                               << "\n";
                                     return kCtlOk;
                                 });
    });
}

void add_resume_command(CLI::App& app, const CtlGlobals& globals, int& exit_code) {
    auto name = std::make_shared<std::string>();
    auto* cmd = app.add_subcommand("resume", "Run a guest that waits paused for attestation");
    cmd->add_option("NAME", *name, "guest name")->required();
    cmd->callback([&globals, &exit_code, name] {
        exit_code = run_bus_call("resume", globals, false, dbus::call_timeout::kAttestation,
                                 [&](sdbus::IConnection& bus) {
                                     dbus::LauncherClient launcher(bus);
                                     launcher.Resume(*name);
                                     std::cout << "resumed " << *name << "\n";
                                     return kCtlOk;
                                 });
    });
}

} // namespace sevd::cli
