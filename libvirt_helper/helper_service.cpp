#include "libvirt_helper/helper_service.h"

#include <system_error>

#include <spdlog/spdlog.h>

#include "libvirt_helper/helper_attestation.h"
#include "libvirt_helper/libvirt_readings.h"
#include "libvirt_helper/poll_event_impl.h"
#include "probe/prober.h"

namespace sevd::libvirt_helper {
namespace {

using nlohmann::json;

std::unique_ptr<LibvirtEventLoop> start_event_loop() {
    try {
        return std::make_unique<LibvirtEventLoop>();
    } catch (const std::runtime_error& e) {
        spdlog::warn("{}; guests that stop by themselves and libvirtd going away are noticed "
                     "only when sevd re-reads libvirt",
                     e.what());
        return nullptr;
    }
}

// The names the request gives its descriptors, one each, in order.
std::vector<launcher::FdGroup> fd_groups(const json& params, const std::vector<UniqueFd>& fds) {
    const auto it = params.find("fd_groups");
    if (it == params.end() || !it->is_array() || it->size() != fds.size())
        throw ProtocolError("the request names " +
                            std::to_string(it != params.end() && it->is_array() ? it->size() : 0) +
                            " descriptor groups but carries " + std::to_string(fds.size()) +
                            " descriptors");
    std::vector<launcher::FdGroup> groups;
    for (size_t i = 0; i < fds.size(); ++i) {
        if (!(*it)[i].is_string())
            throw ProtocolError("a descriptor group name is not a string");
        groups.push_back({(*it)[i].get<std::string>(), fds[i].get()});
    }
    return groups;
}

bool is_facts_request(const Request& request) {
    return request.method == method::kReadFacts;
}

} // namespace

HelperService::HelperService(MessageSocket link, std::string uri)
    : link_(std::move(link)), event_loop_(start_event_loop()),
      client_(std::make_unique<LibvirtClient>(std::move(uri), forward_events())),
      facts_lane_(std::make_unique<WorkerPool>(1)), domain_lane_(std::make_unique<WorkerPool>(1)) {}

// Lanes first (they finish the calls under way and use the client), then the
// client (closes the connection), then the event loop.
HelperService::~HelperService() {
    facts_lane_.reset();
    domain_lane_.reset();
    client_.reset();
    event_loop_.reset();
}

// The handlers run on libvirt's event thread: a send is all they do.
launcher::LibvirtEvents HelperService::forward_events() {
    if (!event_loop_)
        return {};
    launcher::LibvirtEvents events;
    events.on_domain_stopped = [this](launcher::DomainStopped stopped) {
        send(encode(Event{std::move(stopped)}));
    };
    events.on_domain_started = [this](launcher::DomainStarted started) {
        send(encode(Event{std::move(started)}));
    };
    events.on_connection_closed = [this](std::string reason) {
        send(encode(Event{ConnectionClosed{std::move(reason)}}));
    };
    return events;
}

void HelperService::send(const std::string& message) {
    try {
        if (!link_.send(message))
            spdlog::debug("the daemon closed the link; a message to it is dropped");
    } catch (const std::exception& e) {
        spdlog::error("sending to the daemon: {}", e.what());
    }
}

int HelperService::run() {
    spdlog::debug("serving libvirt at '{}' for the daemon", client_->uri());
    try {
        while (auto received = link_.receive_with_fds())
            dispatch(received->message, std::move(received->fds));
    } catch (const std::system_error& e) {
        spdlog::error("the link to the daemon failed: {}; exiting", e.what());
        return 1;
    }
    return 0;
}

void HelperService::dispatch(std::string_view message, std::vector<UniqueFd> fds) {
    Request request;
    try {
        request = decode_request(message);
    } catch (const std::exception& e) {
        // Both ends are sevd: this is a bug, and the request has no id to answer.
        spdlog::error("a request from the daemon cannot be read ({}); ignoring it", e.what());
        return;
    }
    auto& lane = is_facts_request(request) ? *facts_lane_ : *domain_lane_;
    // Shared: a worker job is copyable, descriptors are not.
    auto owned = std::make_shared<std::vector<UniqueFd>>(std::move(fds));
    lane.submit([this, request = std::move(request), owned] {
        for (const auto& part : split_reply(handle(request, *owned), kMaxMessageBytes))
            send(encode(part));
    });
}

Reply HelperService::handle(const Request& request, const std::vector<UniqueFd>& fds) {
    Reply reply;
    reply.id = request.id;
    try {
        reply.result =
            is_facts_request(request) ? read_facts(request.params) : domain_call(request, fds);
    } catch (const launcher::LaunchError& e) {
        reply.error =
            Failure{e.code(), e.what(),
                    e.outcome_unknown() ? launcher::Outcome::Unknown : launcher::Outcome::Known};
    } catch (const std::exception& e) {
        reply.error = Failure{launcher::ErrorCode::Libvirt,
                              "sevd-libvirt could not run " + request.method + ": " + e.what()};
    }
    reply.generation = client_->generation();
    reply.connected = client_->holds_connection();
    return reply;
}

json HelperService::read_facts(const json& params) {
    probe::LibvirtFacts facts;
    facts.uri = string_field(params, "uri");
    facts.machine_type = string_field(params, "machine_type");
    const bool live_domcaps = bool_field(params, "live_domcaps");
    // Orders this reading's libvirt objects with the event thread, which may
    // free them (see PollEventImpl::call_scope).
    probe::LibvirtFacts read;
    {
        const auto in_libvirt = libvirt_helper::PollEventImpl::instance().call_scope();
        read = libvirt::add_connection_facts(std::move(facts), live_domcaps, &launch_security_);
    }
    // libvirt is there: open the launcher's connection too, so its events
    // (a guest stopped, libvirtd gone) flow from now on, not from the first
    // launch. A failure here is the next domain call's to report.
    if (read.connected && read.uri == client_->uri()) {
        try {
            client_->ensure_connected();
        } catch (const launcher::LaunchError& e) {
            spdlog::debug("libvirt reachable for the reading, not for the launcher: {}", e.what());
        }
    }
    return facts_to_json(read);
}

json HelperService::domain_call(const Request& request, const std::vector<UniqueFd>& fds) {
    const auto& name = request.method;
    const json& params = request.params;
    if (name == method::kEnsureConnected) {
        client_->ensure_connected();
        return json::object();
    }
    if (name == method::kDefineAndStart)
        return {{"uuid",
                 client_->define_and_start(string_field(params, "xml"), fd_groups(params, fds))}};
    if (name == method::kDefineAndStartPaused)
        return {{"uuid", client_->define_and_start_paused(string_field(params, "xml"),
                                                          fd_groups(params, fds))}};
    if (name == method::kDestroyAndUndefine)
        return {{"found", client_->destroy_and_undefine(string_field(params, "uuid"))}};
    if (name == method::kDomainExists)
        return {{"exists", client_->domain_exists(string_field(params, "name"))}};
    if (name == method::kFindDomain) {
        const auto record = client_->find_domain(string_field(params, "name"));
        return {{"domain", record ? record_to_json(*record) : json(nullptr)}};
    }
    if (name == method::kListEncryptedRunning || name == method::kListSevdDomains) {
        json domains = json::array();
        const auto records = name == method::kListSevdDomains ? client_->list_sevd_domains()
                                                              : client_->list_encrypted_running();
        for (const auto& record : records)
            domains.push_back(record_to_json(record));
        return {{"domains", std::move(domains)}};
    }
    if (name == method::kStart) {
        client_->start(string_field(params, "name"), fd_groups(params, fds));
        return json::object();
    }
    if (name == method::kShutdown) {
        client_->shutdown(string_field(params, "name"));
        return json::object();
    }
    if (auto result = attestation_call(*client_, request))
        return std::move(*result);
    throw ProtocolError("unknown method '" + name + "'");
}

} // namespace sevd::libvirt_helper
