#include "libvirt_helper/helper_link.h"

#include <algorithm>
#include <csignal>

#include <spdlog/spdlog.h>

#include "launcher/launch_error.h"
#include "libvirt_helper/helper_process.h"

namespace sevd::libvirt_helper {
namespace {

// How long a helper told to stop may finish its libvirt calls.
constexpr auto kExitGrace = std::chrono::milliseconds(5000);
constexpr unsigned kGenerationBits = 32;

[[noreturn]] void fail(const std::string& message,
                       launcher::Outcome outcome = launcher::Outcome::Known) {
    throw launcher::LaunchError(launcher::ErrorCode::Libvirt, message, outcome);
}

std::string seconds(std::chrono::milliseconds duration) {
    const auto tenths = duration.count() / 100;
    return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + " s";
}

} // namespace

HelperLink::HelperLink(std::filesystem::path binary, std::string uri, Handlers handlers)
    : binary_(std::move(binary)), handlers_(std::move(handlers)), uri_(std::move(uri)) {}

HelperLink::~HelperLink() {
    stop();
}

HelperLink::Answer HelperLink::call(std::string_view method, nlohmann::json params,
                                    std::chrono::milliseconds timeout,
                                    const std::vector<int>& fds) {
    auto pending = std::make_shared<PendingCall>();
    std::shared_ptr<Instance> instance;
    std::vector<std::shared_ptr<Instance>> finished;
    Request request{0, std::string(method), std::move(params)};
    {
        std::lock_guard lock(mutex_);
        if (stopped_)
            fail("sevd is stopping; no more libvirt calls are made");
        finished = take_finished_locked();
        instance = running_instance_locked();
        request.id = ++next_id_;
        instance->pending[request.id] = pending;
    }
    for (auto& done : finished)
        done->reader.join(); // returns at once: their readers are past their last lock

    try {
        // False: the helper is gone; its reader fails this call.
        (void)instance->socket.send(encode(request), fds);
    } catch (const std::exception& e) {
        std::lock_guard lock(mutex_);
        instance->pending.erase(request.id);
        fail("sending " + request.method + " to sevd-libvirt failed: " + e.what());
    }

    std::unique_lock lock(mutex_);
    if (!answered_.wait_for(lock, timeout, [&] { return pending->done(); })) {
        instance->pending.erase(request.id);
        if (!instance->dead) // not reaped yet: the pid is still the helper's
            ::kill(instance->pid, SIGKILL);
        const std::string why = "sevd-libvirt (pid " + std::to_string(instance->pid) +
                                ") did not answer " + request.method + " within " +
                                seconds(timeout);
        spdlog::error("{}; killed it (a new one starts with the next libvirt call)", why);
        fail(why + " (is libvirtd hung?); sevd killed it and starts a new one with the next call",
             launcher::Outcome::Unknown);
    }
    if (!pending->failure.empty())
        fail(pending->failure, launcher::Outcome::Unknown);
    Reply& reply = *pending->reply;
    retire_if_idle_locked(instance, reply.connected);
    if (reply.error)
        throw launcher::LaunchError(reply.error->code, reply.error->message, reply.error->outcome);
    const uint64_t generation = (instance->number << kGenerationBits) |
                                (reply.generation & ((uint64_t{1} << kGenerationBits) - 1));
    return {std::move(reply.result), generation};
}

void HelperLink::set_uri(const std::string& uri) {
    std::lock_guard lock(mutex_);
    if (uri == uri_)
        return;
    uri_ = uri;
    if (current_)
        retire_locked(std::exchange(current_, nullptr), "libvirt URI changed to '" + uri + "'");
}

std::string HelperLink::uri() const {
    std::lock_guard lock(mutex_);
    return uri_;
}

void HelperLink::stop() {
    std::vector<std::shared_ptr<Instance>> all;
    {
        std::lock_guard lock(mutex_);
        stopped_ = true;
        if (current_)
            retire_locked(std::exchange(current_, nullptr), "sevd is stopping");
        all.swap(retired_);
    }
    for (auto& instance : all)
        if (instance->reader.joinable())
            instance->reader.join();
}

std::optional<pid_t> HelperLink::helper_pid() const {
    std::lock_guard lock(mutex_);
    if (!current_ || current_->dead)
        return std::nullopt;
    return current_->pid;
}

std::shared_ptr<HelperLink::Instance> HelperLink::running_instance_locked() {
    if (current_ && !current_->dead)
        return current_;
    if (current_) // dead: its reader finishes by itself
        retired_.push_back(std::exchange(current_, nullptr));
    current_ = spawn_locked();
    return current_;
}

std::shared_ptr<HelperLink::Instance> HelperLink::spawn_locked() {
    auto [ours, theirs] = MessageSocket::pair();
    auto instance = std::make_shared<Instance>();
    instance->pid = spawn_helper(binary_, uri_, theirs.fd()); // throws LaunchError
    instance->number = ++instances_started_;
    instance->socket = std::move(ours);
    instance->reader = std::thread([this, instance] { read_loop(instance); });
    spdlog::debug("started sevd-libvirt (pid {}) for '{}'", instance->pid, uri_);
    return instance;
}

// Its calls under way fail; the helper sees the end of the link and exits.
void HelperLink::retire_locked(const std::shared_ptr<Instance>& instance, const std::string& why) {
    spdlog::debug("stopping sevd-libvirt (pid {}): {}", instance->pid, why);
    instance->retired_because = why;
    instance->socket.shutdown();
    retired_.push_back(instance);
}

// A helper that holds no libvirt connection has nothing to watch: it exits,
// and the next call starts another (an unreachable libvirt costs the daemon
// no second process between the watcher's retries).
void HelperLink::retire_if_idle_locked(const std::shared_ptr<Instance>& instance, bool connected) {
    if (connected || instance != current_ || !instance->pending.empty())
        return;
    retire_locked(std::exchange(current_, nullptr), "it holds no libvirt connection");
}

std::vector<std::shared_ptr<HelperLink::Instance>> HelperLink::take_finished_locked() {
    const auto split = std::stable_partition(
        retired_.begin(), retired_.end(), [](const auto& instance) { return !instance->finished; });
    std::vector<std::shared_ptr<Instance>> finished(std::make_move_iterator(split),
                                                    std::make_move_iterator(retired_.end()));
    retired_.erase(split, retired_.end());
    return finished;
}

void HelperLink::read_loop(const std::shared_ptr<Instance>& instance) {
    std::string why = "closed its end of the link";
    try {
        while (const auto message = instance->socket.receive())
            deliver(*instance, *message);
    } catch (const std::exception& e) {
        why = std::string("broke the link (") + e.what() + ")";
    }
    on_helper_gone(*instance, why);
}

void HelperLink::deliver(Instance& instance, const std::string& message) {
    FromHelper decoded = decode_from_helper(message); // ProtocolError: the helper is broken
    if (auto* reply = std::get_if<Reply>(&decoded)) {
        std::lock_guard lock(mutex_);
        const auto it = instance.pending.find(reply->id);
        if (it == instance.pending.end())
            return; // its caller gave up waiting
        auto& call = *it->second;
        if (call.first_parts)
            append_part(*call.first_parts, *reply);
        else
            call.first_parts = std::move(*reply);
        if (call.first_parts->more)
            return; // parts still to come
        call.reply = std::move(call.first_parts);
        instance.pending.erase(it);
        answered_.notify_all();
        return;
    }
    {
        std::lock_guard lock(mutex_);
        if (!instance.retired_because.empty() || stopped_)
            return; // about a connection sevd no longer uses
    }
    auto& event = std::get<Event>(decoded);
    if (auto* stopped = std::get_if<launcher::DomainStopped>(&event)) {
        if (handlers_.on_domain_stopped)
            handlers_.on_domain_stopped(std::move(*stopped));
    } else if (auto* started = std::get_if<launcher::DomainStarted>(&event)) {
        if (handlers_.on_domain_started)
            handlers_.on_domain_started(std::move(*started));
    } else if (handlers_.on_connection_closed) {
        handlers_.on_connection_closed(std::get<ConnectionClosed>(event).reason);
    }
}

// Marked dead before it is reaped, so call() never signals a reaped (maybe
// reused) pid; its calls fail at once, before the reap's grace period.
void HelperLink::on_helper_gone(Instance& instance, const std::string& why) {
    instance.socket.shutdown(); // a helper that still runs sees the end of the link
    const std::string gone = "sevd-libvirt (pid " + std::to_string(instance.pid) + ") " + why;
    bool announce = false;
    {
        std::lock_guard lock(mutex_);
        instance.dead = true;
        announce = instance.retired_because.empty() && !stopped_;
        const std::string failure =
            announce
                ? gone + " before it answered; the next libvirt call starts a new one"
                : "the libvirt call was cut short: sevd-libvirt was stopped (" +
                      (stopped_ ? std::string("sevd is stopping") : instance.retired_because) + ")";
        for (auto& [id, call] : instance.pending)
            call->failure = failure;
        instance.pending.clear();
        answered_.notify_all();
    }
    const std::string status = reap_helper(instance.pid, kExitGrace);
    if (announce && handlers_.on_connection_closed)
        handlers_.on_connection_closed(gone + " and " + status); // its owner logs it
    else if (announce)
        spdlog::warn("{} and {}; a new one starts with the next libvirt call", gone, status);
    else
        spdlog::debug("{} and {}", gone, status);
    std::lock_guard lock(mutex_);
    instance.finished = true;
}

} // namespace sevd::libvirt_helper
