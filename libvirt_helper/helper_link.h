// The daemon's end of its sevd-libvirt helper. libvirt.so and the sixty
// libraries it pulls in (gnutls, curl, ssh, krb5, ldap, glib, icu...) are
// loaded only in the helper, never in the daemon that serves the bus.
//
// The link starts the helper on a call when none runs; sends requests; waits
// for their replies; and hands the helper's events to the handlers. The
// helper lives as long as it holds a libvirt connection (that is, as long as
// libvirt is reachable: its events must flow); one that holds none after a
// call is told to exit, so an unreachable libvirt costs no second process
// between the watcher's retries. A helper that crashes fails only the calls
// under way (LaunchError(Libvirt)) and is announced like a closed libvirt
// connection; one that does not answer within a call's timeout is killed.
// Thread-safe: any number of threads may call at once.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "launcher/libvirt_events.h"
#include "libvirt_helper/message_socket.h"
#include "libvirt_helper/protocol.h"

namespace sevd::libvirt_helper {

// The descriptor number the helper finds its end of the link at.
inline constexpr int kHelperLinkFd = 3;

class HelperLink {
public:
    struct Handlers {
        std::function<void(launcher::DomainStopped)> on_domain_stopped;
        std::function<void(launcher::DomainStarted)> on_domain_started;
        // The helper's libvirt connection is gone: libvirt closed it, or the
        // helper exited. Both run on the link's reader thread: hand the work
        // on, never call the link from them.
        std::function<void(std::string reason)> on_connection_closed;
    };
    struct Answer {
        nlohmann::json result;
        // The helper's connection generation, made unique across helpers:
        // it changes with every libvirt connection any helper opened.
        uint64_t generation = 0;
    };

    // `binary`: the sevd-libvirt executable; `uri`: its libvirt connection.
    HelperLink(std::filesystem::path binary, std::string uri, Handlers handlers);
    ~HelperLink(); // stop()
    HelperLink(const HelperLink&) = delete;
    HelperLink& operator=(const HelperLink&) = delete;

    // Sends `method` and waits for its reply. Throws launcher::LaunchError:
    // the helper's own (the code it named), or Libvirt when the helper cannot
    // be started, exits, or does not answer within `timeout` (it is killed);
    // the last two with an unknown outcome (the call may have run).
    // `fds` travel with the request (SCM_RIGHTS); the helper gets its own copies.
    Answer call(std::string_view method, nlohmann::json params, std::chrono::milliseconds timeout,
                const std::vector<int>& fds = {});

    // From the next call on, a helper for `uri`; a running helper for
    // another URI is stopped (its calls under way fail).
    void set_uri(const std::string& uri);
    std::string uri() const;
    // Stops the helper (it finishes its libvirt calls and exits; killed when
    // it has not within 5 s), fails every call under way and refuses later
    // ones. Idempotent.
    void stop();

    // The running helper's process id; nullopt when none runs (tests, benchmarks).
    std::optional<pid_t> helper_pid() const;

private:
    struct PendingCall {
        std::optional<Reply> first_parts; // the parts of a long reply gathered so far
        std::optional<Reply> reply;
        std::string failure; // non-empty: the helper went away first
        bool done() const { return reply || !failure.empty(); }
    };
    struct Instance {
        uint64_t number = 0;
        pid_t pid = -1;
        MessageSocket socket;
        std::thread reader;
        // Under the link's mutex_:
        std::map<uint64_t, std::shared_ptr<PendingCall>> pending;
        bool dead = false;
        std::string retired_because; // non-empty: stopped by the link itself, not announced
        bool finished = false;       // the reader is about to return: join() will not wait
    };

    std::shared_ptr<Instance> running_instance_locked();
    std::shared_ptr<Instance> spawn_locked();
    void retire_locked(const std::shared_ptr<Instance>& instance, const std::string& why);
    void retire_if_idle_locked(const std::shared_ptr<Instance>& instance, bool connected);
    std::vector<std::shared_ptr<Instance>> take_finished_locked();
    void read_loop(const std::shared_ptr<Instance>& instance);
    void deliver(Instance& instance, const std::string& message);
    void on_helper_gone(Instance& instance, const std::string& why);

    const std::filesystem::path binary_;
    const Handlers handlers_;
    mutable std::mutex mutex_;
    std::condition_variable answered_;
    std::string uri_;
    bool stopped_ = false;
    uint64_t next_id_ = 0;
    uint64_t instances_started_ = 0;
    std::shared_ptr<Instance> current_;
    std::vector<std::shared_ptr<Instance>> retired_; // readers still to join
};

} // namespace sevd::libvirt_helper
