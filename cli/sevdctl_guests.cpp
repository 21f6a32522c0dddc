// `sevdctl guests [--json]` and `sevdctl stop NAME`: the guests sevd launched.
#include <iomanip>
#include <iostream>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/sevdctl_commands.h"
#include "dbus/launcher_client.h"

namespace sevd::cli {

void add_guests_command(CLI::App& app, const CtlGlobals& globals, int& exit_code) {
    auto json = std::make_shared<bool>(false);
    auto* cmd = app.add_subcommand("guests", "List the guests sevd launched");
    cmd->add_flag("--json", *json, "print JSON only");
    cmd->callback([&globals, &exit_code, json] {
        exit_code = run_bus_call("guests", globals, *json, [&](sdbus::IConnection& bus) {
            dbus::LauncherClient launcher(bus);
            const auto guests = launcher.Guests();
            if (*json) {
                auto out = nlohmann::json::array();
                for (const auto& guest : guests)
                    out.push_back({{"name", std::get<0>(guest)},
                                   {"uuid", std::get<1>(guest)},
                                   {"model", std::get<2>(guest)},
                                   {"memory_mib", std::get<3>(guest)}});
                std::cout << out.dump(2) << "\n";
                return kCtlOk;
            }
            if (guests.empty()) {
                std::cout << "no guests launched by sevd\n";
                return kCtlOk;
            }
            std::cout << std::left << std::setw(24) << "NAME" << std::setw(38) << "UUID"
                      << std::setw(12) << "MODEL"
                      << "MEMORY\n";
            for (const auto& guest : guests)
                std::cout << std::setw(24) << std::get<0>(guest) << std::setw(38)
                          << std::get<1>(guest) << std::setw(12) << std::get<2>(guest)
                          << std::get<3>(guest) << " MiB\n";
            return kCtlOk;
        });
    });
}

void add_stop_command(CLI::App& app, const CtlGlobals& globals, int& exit_code) {
    auto name = std::make_shared<std::string>();
    auto* cmd = app.add_subcommand("stop", "Stop and undefine a guest sevd launched");
    cmd->add_option("NAME", *name, "guest name")->required();
    cmd->callback([&globals, &exit_code, name] {
        exit_code = run_bus_call("stop", globals, false, [&](sdbus::IConnection& bus) {
            dbus::LauncherClient launcher(bus);
            launcher.Stop(*name);
            std::cout << "stopped " << *name << "\n";
            return kCtlOk;
        });
    });
}

} // namespace sevd::cli
