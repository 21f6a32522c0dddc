// `sevdctl`: status, launch, guests, start, shutdown and stop over D-Bus (DESIGN.md "Commands").
#include <map>

#include "cli/sevdctl_commands.h"

int main(int argc, char** argv) {
    CLI::App app{"sevdctl - talk to the sevd daemon over D-Bus"};
    app.require_subcommand(1);
    sevd::cli::CtlGlobals globals;
    const std::map<std::string, sevd::dbus::ClientBus> buses{
        {"system", sevd::dbus::ClientBus::System}, {"session", sevd::dbus::ClientBus::Session}};
    app.add_option("--bus", globals.bus,
                   "bus the daemon serves on (system honours DBUS_SYSTEM_BUS_ADDRESS)")
        ->transform(CLI::CheckedTransformer(buses, CLI::ignore_case))
        ->default_str("system");
    int exit_code = sevd::cli::kCtlOk;
    sevd::cli::add_status_command(app, globals, exit_code);
    sevd::cli::add_launch_command(app, globals, exit_code);
    sevd::cli::add_guests_command(app, globals, exit_code);
    sevd::cli::add_start_command(app, globals, exit_code);
    sevd::cli::add_shutdown_command(app, globals, exit_code);
    sevd::cli::add_stop_command(app, globals, exit_code);
    sevd::cli::add_certs_command(app, globals, exit_code);
    sevd::cli::add_measurement_command(app, globals, exit_code);
    sevd::cli::add_inject_command(app, globals, exit_code);
    sevd::cli::add_resume_command(app, globals, exit_code);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int rc = app.exit(e);
        return rc == 0 ? sevd::cli::kCtlOk : sevd::cli::kCtlError;
    }
    return exit_code;
}
