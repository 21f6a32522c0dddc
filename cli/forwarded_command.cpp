// `sevd serve ...` → exec `sevd-daemon serve ...`; `sevd tune ...` → exec
// `sevd-tune tune ...`.
#include <cerrno>
#include <cstring>
#include <iostream>
#include <string>
#include <unistd.h>
#include <vector>

#include "cli/commands.h"

namespace sevd::cli {

void add_forwarded_command(CLI::App& app, const std::string& name, const std::string& binary_name,
                           const std::string& description, int& exit_code) {
    auto* cmd = app.add_subcommand(name, description);
    cmd->prefix_command();  // every argument, --help included, goes to the helper
    cmd->set_help_flag(""); // so `sevd serve --help` shows the real options
    cmd->callback([cmd, name, binary_name, &exit_code] {
        const std::string binary = helper_binary_path(binary_name);
        std::vector<std::string> args{binary, name};
        for (const auto& arg : cmd->remaining())
            args.push_back(arg);
        std::vector<char*> argv;
        for (auto& arg : args)
            argv.push_back(arg.data());
        argv.push_back(nullptr);
        ::execv(binary.c_str(), argv.data());
        std::cerr << "sevd " << name << ": cannot run " << binary << ": " << std::strerror(errno)
                  << " (reinstall sevd: its helper binary is missing)\n";
        exit_code = 2;
    });
}

} // namespace sevd::cli
