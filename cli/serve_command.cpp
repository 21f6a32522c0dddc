// `sevd serve`: the daemon (unit sevd.service). Parses options; dbus/ serves manager/.
#include <map>
#include <string>

#include "cli/commands.h"
#include "dbus/daemon_options.h"

namespace sevd::cli {

void add_serve_command(CLI::App& app, int& exit_code) {
    auto* cmd = app.add_subcommand(
        "serve", "Run the daemon: publish org.sevd.Host1 (plus Launcher1, Tuning1) on D-Bus");
    auto options = std::make_shared<dbus::DaemonOptions>();
    auto uri = std::make_shared<std::string>();
    const std::map<std::string, dbus::BusKind> buses{{"system", dbus::BusKind::System},
                                                     {"session", dbus::BusKind::Session}};
    cmd->add_option("--bus", options->bus,
                    "Bus to serve on (system honours DBUS_SYSTEM_BUS_ADDRESS)")
        ->transform(CLI::CheckedTransformer(buses, CLI::ignore_case))
        ->default_str("system");
    cmd->add_option("--root", options->manager.root,
                    "Read the host from this snapshot directory instead of / (sevd capture)");
    cmd->add_option("--libvirt-uri", *uri,
                    "libvirt connection (default: the config's [libvirt] uri)");
    cmd->add_option("--config", options->manager.config_path, "Configuration file")
        ->default_str(config::kDefaultConfigPath);
    cmd->callback([options, uri, &exit_code] {
        if (!uri->empty())
            options->manager.libvirt_uri = *uri;
        options->manager.libvirt_helper = helper_binary_path("sevd-libvirt");
        exit_code = dbus::run_daemon(*options);
    });
}

} // namespace sevd::cli
