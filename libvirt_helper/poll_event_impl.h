// sevd's implementation of libvirt's event-loop interface (virEventRegisterImpl):
// file-descriptor watches and timers for libvirt, dispatched by poll() on the
// thread that calls run_once() (LibvirtEventLoop's). Used instead of libvirt's
// default GLib loop because GLib's locks are raw futexes ThreadSanitizer cannot
// see: with it every hand-off between libvirt's callers and the event thread
// (a watch added while opening a connection, an event timer armed by a call)
// reads as a data race. Here each hand-off goes through a std::mutex.
//
// Callers' libvirt calls and the loop's dispatch exclude each other
// (call_scope(), a shared lock, against the loop's exclusive one): libvirt
// frees its objects on whichever thread drops the last reference, often this
// loop's (a removed watch's free callback), and synchronises that with
// reference-count atomics inside the uninstrumented libvirt that TSan cannot
// see. The lock makes each such hand-off visible, and costs only a short wait
// for events while a call is under way (libvirt's RPC client does its own I/O
// on the calling thread; it never waits for this loop).
//
// libvirt's rules, kept: callbacks run without the lock (they add, update and
// remove watches themselves); a removed watch's free callback runs later on the
// loop thread, never inside the remove call (whose caller may hold the lock
// the free callback takes); a 0 ms timer fires on every iteration, -1 disables
// it; a watch asking for no events is not polled.
#pragma once

#include <chrono>
#include <mutex>
#include <shared_mutex>
#include <vector>

#include <libvirt/libvirt.h>

namespace sevd::libvirt_helper {

class PollEventImpl {
public:
    // The process's instance (libvirt keeps the registered functions forever).
    static PollEventImpl& instance();

    // virEventRegisterImpl with this implementation's functions.
    void register_with_libvirt();
    // One iteration: waits for a watched descriptor, a due timer or wake(),
    // then dispatches. False when poll() failed (errno set).
    bool run_once();
    // Makes a run_once() that waits return (thread-safe).
    void wake();
    // Held (shared) by every sevd thread while it calls libvirt; never on the
    // loop thread (its callbacks would wait for themselves).
    std::shared_lock<std::shared_mutex> call_scope();

    int add_handle(int fd, int events, virEventHandleCallback cb, void* opaque,
                   virFreeCallback free_opaque);
    void update_handle(int id, int events);
    int remove_handle(int id);
    int add_timeout(int interval_ms, virEventTimeoutCallback cb, void* opaque,
                    virFreeCallback free_opaque);
    void update_timeout(int id, int interval_ms);
    int remove_timeout(int id);

private:
    using Clock = std::chrono::steady_clock;
    struct Handle {
        int id;
        int fd;
        int events; // VIR_EVENT_HANDLE_* wanted
        virEventHandleCallback cb;
        void* opaque;
        virFreeCallback free_opaque;
        bool deleted = false;
    };
    struct Timer {
        int id;
        int interval_ms; // -1: disabled
        Clock::time_point due;
        virEventTimeoutCallback cb;
        void* opaque;
        virFreeCallback free_opaque;
        bool deleted = false;
    };
    struct Ready {
        int id;
        int fd;
        int events; // VIR_EVENT_HANDLE_* that happened
    };

    PollEventImpl();
    int poll_timeout_ms_locked() const;
    void dispatch_timers();
    void dispatch_handles(const std::vector<Ready>& ready);
    void release_deleted();
    void drain_wake_fd();

    std::shared_mutex dispatch_mutex_; // exclusive while callbacks and frees run
    std::mutex mutex_;                 // the lists below
    int next_id_ = 1;
    std::vector<Handle> handles_;
    std::vector<Timer> timers_;
    int wake_fd_ = -1; // eventfd
};

} // namespace sevd::libvirt_helper
