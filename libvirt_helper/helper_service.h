// What sevd-libvirt does: it holds the daemon's libvirt connections. It reads
// the daemon's requests from the link, runs each on its lane (the facts
// reading on one thread, the domain calls on another, so a launch under way
// never delays a reading, as when both ran in the daemon), replies, and sends
// libvirt's events (a domain stopped, the connection closed) as they come.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/worker_pool.h"
#include "libvirt_helper/libvirt_client.h"
#include "libvirt_helper/libvirt_event_loop.h"
#include "libvirt_helper/message_socket.h"
#include "libvirt_helper/protocol.h"
#include "probe/launch_security_cache.h"

namespace sevd::libvirt_helper {

class HelperService {
public:
    // `uri`: the connection the domain calls use (the facts reading names its
    // own in each request).
    HelperService(MessageSocket link, std::string uri);
    ~HelperService();
    HelperService(const HelperService&) = delete;
    HelperService& operator=(const HelperService&) = delete;

    // Serves until the daemon closes the link; finishes the calls under way,
    // then returns the exit code (0; 1 when the link failed).
    int run();

private:
    void dispatch(std::string_view message, std::vector<UniqueFd> fds);
    // One request (with the descriptors it carried), answered: the client's
    // result, or its error as a Failure.
    Reply handle(const Request& request, const std::vector<UniqueFd>& fds);
    launcher::LibvirtEvents forward_events();
    void send(const std::string& message);
    nlohmann::json read_facts(const nlohmann::json& params);
    nlohmann::json domain_call(const Request& request, const std::vector<UniqueFd>& fds);

    MessageSocket link_;
    // Before the client: libvirt binds a connection to the event loop when
    // it opens. Null when libvirt refused it (then no events are sent).
    std::unique_ptr<LibvirtEventLoop> event_loop_;
    std::unique_ptr<LibvirtClient> client_;
    // The facts lane's alone (one thread): what running domains' XML said.
    probe::LaunchSecurityCache launch_security_;
    std::unique_ptr<WorkerPool> facts_lane_;
    std::unique_ptr<WorkerPool> domain_lane_;
};

} // namespace sevd::libvirt_helper
