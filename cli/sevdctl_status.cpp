// `sevdctl status [--json]`: the daemon's view of the host, from Describe()
// (the `sevd probe --json` object): printed as is with --json, else rendered
// like `sevd probe`. Exit 0 when ready, 1 when no model is launchable.
#include <iostream>
#include <memory>

#include "cli/sevdctl_commands.h"
#include "dbus/call_timeouts.h"
#include "dbus/host_client.h"
#include "dbus/report_from_json.h"
#include "probe/report_text.h"

namespace sevd::cli {

void add_status_command(CLI::App& app, const CtlGlobals& globals, int& exit_code) {
    auto json = std::make_shared<bool>(false);
    auto* cmd = app.add_subcommand("status", "Show what the daemon reports about this host");
    cmd->add_flag("--json", *json, "print the report as JSON only (Describe())");
    cmd->callback([&globals, &exit_code, json] {
        exit_code = run_bus_call(
            "status", globals, *json, dbus::call_timeout::kDescribe, [&](sdbus::IConnection& bus) {
                dbus::HostClient host(bus);
                const std::string describe = host.Describe();
                const auto report = dbus::report_from_json(describe);
                std::cout << (*json ? describe + "\n" : probe::report_to_text(report));
                return report.ready ? kCtlOk : kCtlRefused;
            });
    });
}

} // namespace sevd::cli
