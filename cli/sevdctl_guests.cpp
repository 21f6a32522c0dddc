// `sevdctl guests [--all] [--json]`, `sevdctl start|shutdown|stop NAME`: the
// guests sevd launched and their lifecycle.
#include <functional>
#include <iomanip>
#include <iostream>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/sevdctl_commands.h"
#include "dbus/call_timeouts.h"
#include "dbus/launcher_client.h"

namespace sevd::cli {
namespace {

struct GuestRow {
    std::string name, uuid, model;
    uint64_t memory_mib = 0;
    std::string state; // empty: not asked (Guests lists running ones only)
};

std::vector<GuestRow> read_guests(dbus::LauncherClient& launcher, bool all) {
    std::vector<GuestRow> rows;
    if (all) {
        for (const auto& g : launcher.AllGuests())
            rows.push_back(
                {std::get<0>(g), std::get<1>(g), std::get<2>(g), std::get<3>(g), std::get<4>(g)});
        return rows;
    }
    for (const auto& g : launcher.Guests())
        rows.push_back({std::get<0>(g), std::get<1>(g), std::get<2>(g), std::get<3>(g), {}});
    return rows;
}

void print_json(const std::vector<GuestRow>& rows) {
    auto out = nlohmann::json::array();
    for (const auto& row : rows) {
        nlohmann::json guest{{"name", row.name},
                             {"uuid", row.uuid},
                             {"model", row.model},
                             {"memory_mib", row.memory_mib}};
        if (!row.state.empty())
            guest["state"] = row.state;
        out.push_back(std::move(guest));
    }
    std::cout << out.dump(2) << "\n";
}

void print_table(const std::vector<GuestRow>& rows, bool all) {
    if (rows.empty()) {
        std::cout << (all ? "no guests defined by sevd\n" : "no guests launched by sevd\n");
        return;
    }
    std::cout << std::left << std::setw(24) << "NAME" << std::setw(38) << "UUID" << std::setw(12)
              << "MODEL" << std::setw(12) << "MEMORY" << (all ? "STATE" : "") << "\n";
    for (const auto& row : rows)
        std::cout << std::setw(24) << row.name << std::setw(38) << row.uuid << std::setw(12)
                  << row.model << std::setw(12) << (std::to_string(row.memory_mib) + " MiB")
                  << row.state << "\n";
}

// A subcommand taking one guest NAME and calling `act` on the launcher.
void add_name_command(CLI::App& app, const CtlGlobals& globals, int& exit_code, const char* name,
                      const char* help, std::chrono::milliseconds timeout,
                      std::function<std::string(dbus::LauncherClient&, const std::string&)> act) {
    auto guest = std::make_shared<std::string>();
    auto* cmd = app.add_subcommand(name, help);
    cmd->add_option("NAME", *guest, "guest name")->required();
    cmd->callback([&globals, &exit_code, guest, name, timeout, act] {
        exit_code = run_bus_call(name, globals, false, timeout, [&](sdbus::IConnection& bus) {
            dbus::LauncherClient launcher(bus);
            std::cout << act(launcher, *guest) << "\n";
            return kCtlOk;
        });
    });
}

} // namespace

void add_guests_command(CLI::App& app, const CtlGlobals& globals, int& exit_code) {
    auto json = std::make_shared<bool>(false);
    auto all = std::make_shared<bool>(false);
    auto* cmd = app.add_subcommand("guests", "List the guests sevd launched");
    cmd->add_flag("--all", *all, "also the ones defined but powered off (with their state)");
    cmd->add_flag("--json", *json, "print JSON only");
    cmd->callback([&globals, &exit_code, json, all] {
        exit_code = run_bus_call("guests", globals, *json, dbus::call_timeout::kGetProperty,
                                 [&](sdbus::IConnection& bus) {
                                     dbus::LauncherClient launcher(bus);
                                     const auto rows = read_guests(launcher, *all);
                                     if (*json)
                                         print_json(rows);
                                     else
                                         print_table(rows, *all);
                                     return kCtlOk;
                                 });
    });
}

void add_start_command(CLI::App& app, const CtlGlobals& globals, int& exit_code) {
    add_name_command(app, globals, exit_code, "start",
                     "Start a powered-off guest sevd defined (admitted like a launch)",
                     dbus::call_timeout::kStart, [](auto& launcher, const std::string& name) {
                         return "started " + name + " (uuid " + launcher.Start(name) + ")";
                     });
}

void add_shutdown_command(CLI::App& app, const CtlGlobals& globals, int& exit_code) {
    add_name_command(app, globals, exit_code, "shutdown",
                     "Ask a guest to power off gracefully (it stays defined)",
                     dbus::call_timeout::kShutdown, [](auto& launcher, const std::string& name) {
                         launcher.Shutdown(name);
                         return "asked " + name + " to shut down";
                     });
}

void add_stop_command(CLI::App& app, const CtlGlobals& globals, int& exit_code) {
    add_name_command(app, globals, exit_code, "stop", "Stop and undefine a guest sevd launched",
                     dbus::call_timeout::kStop, [](auto& launcher, const std::string& name) {
                         launcher.Stop(name);
                         return "stopped " + name;
                     });
}

} // namespace sevd::cli
