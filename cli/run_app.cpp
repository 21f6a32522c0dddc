#include <filesystem>
#include <system_error>

#include "cli/commands.h"

namespace sevd::cli {

std::string helper_binary_path(const std::string& name) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path self = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        const fs::path sibling = self.parent_path() / name;
        if (fs::exists(sibling, ec))
            return sibling.string();
    }
    return (fs::path(SEVD_LIBEXEC_DIR) / name).string();
}

int run_app(CLI::App& app, int argc, char** argv, int& exit_code) {
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int rc = app.exit(e);
        return rc == 0 ? 0 : 2; // usage errors are exit code 2 everywhere
    }
    return exit_code;
}

} // namespace sevd::cli
