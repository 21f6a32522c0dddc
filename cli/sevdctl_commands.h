// The subcommands of `sevdctl`, the D-Bus client of the sevd daemon.
// Exit codes (every subcommand): 0 success (status: the host is ready),
// 1 refused or not ready (a named org.sevd.Error.*, AccessDenied, or status
// with no launchable model), 2 usage or unexpected error, 3 the daemon is not
// running / the bus is unreachable (the LSB "program is not running" code).
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include <CLI/CLI.hpp>
#include <sdbus-c++/IConnection.h>

#include "dbus/client_bus.h"

namespace sevd::cli {

inline constexpr int kCtlOk = 0;
inline constexpr int kCtlRefused = 1;
inline constexpr int kCtlError = 2;
inline constexpr int kCtlNotRunning = 3;

// Options every subcommand shares.
struct CtlGlobals {
    dbus::ClientBus bus = dbus::ClientBus::System;
};

void add_status_command(CLI::App& app, const CtlGlobals& globals, int& exit_code);
void add_launch_command(CLI::App& app, const CtlGlobals& globals, int& exit_code);
void add_guests_command(CLI::App& app, const CtlGlobals& globals, int& exit_code);
void add_stop_command(CLI::App& app, const CtlGlobals& globals, int& exit_code);
void add_start_command(CLI::App& app, const CtlGlobals& globals, int& exit_code);
void add_shutdown_command(CLI::App& app, const CtlGlobals& globals, int& exit_code);
// Attestation (sevdctl_attest.cpp).
void add_certs_command(CLI::App& app, const CtlGlobals& globals, int& exit_code);
void add_measurement_command(CLI::App& app, const CtlGlobals& globals, int& exit_code);
void add_inject_command(CLI::App& app, const CtlGlobals& globals, int& exit_code);
void add_resume_command(CLI::App& app, const CtlGlobals& globals, int& exit_code);
// A file's base64 text without its trailing newline; CLI::ValidationError
// naming `option` when it cannot be read.
std::string read_base64_file(const std::string& option, const std::string& path);

// Connects to the bus and runs `call` on it, its method calls waiting up to
// `timeout` (dbus/call_timeouts.h: longer than the daemon's own bound); turns
// a bus error into a message on stderr (or {"error": ...} on stdout with
// `json`) and the exit code above.
int run_bus_call(const char* command, const CtlGlobals& globals, bool json,
                 std::chrono::milliseconds timeout,
                 const std::function<int(sdbus::IConnection&)>& call);

} // namespace sevd::cli
