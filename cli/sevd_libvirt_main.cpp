// `sevd-libvirt`: started by the daemon (never by hand), with its end of the
// link at descriptor --fd. Holds the daemon's libvirt connections, so that
// libvirt and its dependency tree are never loaded in the daemon itself, and
// exits when the daemon closes the link.
#include <cerrno>
#include <cstring>
#include <string>
#include <sys/socket.h>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "cli/commands.h"
#include "common/logging.h"
#include "libvirt_helper/helper_service.h"

namespace {

// Empty when `fd` is the seqpacket end the daemon hands over, else why not.
std::string link_fd_problem(int fd) {
    int type = 0;
    socklen_t length = sizeof type;
    if (::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &length) != 0)
        return std::strerror(errno);
    return type == SOCK_SEQPACKET ? "" : "another socket type";
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"sevd-libvirt - holds sevd's libvirt connections (started by sevd-daemon)"};
    int fd = -1;
    std::string uri;
    app.add_option("--fd", fd, "The daemon's end of the link (a SOCK_SEQPACKET socket)")
        ->required();
    app.add_option("--uri", uri, "libvirt connection for the launcher's calls")->required();
    int exit_code = 0;
    app.callback([&] {
        sevd::setup_daemon_logging("sevd-libvirt");
        if (const auto problem = link_fd_problem(fd); !problem.empty()) {
            spdlog::error("descriptor {} is not a SOCK_SEQPACKET socket: {} (sevd-libvirt is "
                          "started by sevd-daemon, not by hand)",
                          fd, problem);
            exit_code = 2;
            return;
        }
        sevd::libvirt_helper::HelperService service(
            sevd::libvirt_helper::MessageSocket(sevd::UniqueFd(fd)), uri);
        exit_code = service.run();
    });
    return sevd::cli::run_app(app, argc, argv, exit_code);
}
