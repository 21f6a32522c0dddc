#include "libvirt_helper/poll_event_impl.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <poll.h>
#include <stdexcept>
#include <string>
#include <sys/eventfd.h>
#include <unistd.h>

namespace sevd::libvirt_helper {
namespace {

struct EventBit {
    int libvirt;
    short poll;
};
constexpr EventBit kEventBits[] = {{VIR_EVENT_HANDLE_READABLE, POLLIN},
                                   {VIR_EVENT_HANDLE_WRITABLE, POLLOUT},
                                   {VIR_EVENT_HANDLE_ERROR, POLLERR},
                                   {VIR_EVENT_HANDLE_HANGUP, POLLHUP}};

short to_poll(int events) {
    short out = 0;
    for (const auto& bit : kEventBits)
        if ((events & bit.libvirt) != 0)
            out = static_cast<short>(out | bit.poll);
    return out;
}

int from_poll(short revents) {
    int out = 0;
    for (const auto& bit : kEventBits)
        if ((revents & bit.poll) != 0)
            out |= bit.libvirt;
    if ((revents & POLLNVAL) != 0)
        out |= VIR_EVENT_HANDLE_ERROR;
    return out;
}

template <typename Entry>
Entry* live(std::vector<Entry>& entries, int id) {
    auto it = std::find_if(entries.begin(), entries.end(),
                           [id](const Entry& e) { return e.id == id && !e.deleted; });
    return it == entries.end() ? nullptr : &*it;
}

// The functions libvirt calls (plain C signatures).
int add_handle_fn(int fd, int events, virEventHandleCallback cb, void* opaque, virFreeCallback ff) {
    return PollEventImpl::instance().add_handle(fd, events, cb, opaque, ff);
}
void update_handle_fn(int id, int events) {
    PollEventImpl::instance().update_handle(id, events);
}
int remove_handle_fn(int id) {
    return PollEventImpl::instance().remove_handle(id);
}
int add_timeout_fn(int interval_ms, virEventTimeoutCallback cb, void* opaque, virFreeCallback ff) {
    return PollEventImpl::instance().add_timeout(interval_ms, cb, opaque, ff);
}
void update_timeout_fn(int id, int interval_ms) {
    PollEventImpl::instance().update_timeout(id, interval_ms);
}
int remove_timeout_fn(int id) {
    return PollEventImpl::instance().remove_timeout(id);
}

} // namespace

PollEventImpl& PollEventImpl::instance() {
    static PollEventImpl impl; // never destroyed before libvirt stops calling it: process lifetime
    return impl;
}

PollEventImpl::PollEventImpl() : wake_fd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    if (wake_fd_ < 0)
        throw std::runtime_error(std::string("eventfd for libvirt's event loop: ") +
                                 std::strerror(errno));
}

void PollEventImpl::register_with_libvirt() {
    virEventRegisterImpl(add_handle_fn, update_handle_fn, remove_handle_fn, add_timeout_fn,
                         update_timeout_fn, remove_timeout_fn);
}

void PollEventImpl::wake() {
    const uint64_t one = 1;
    // A full counter still wakes poll(), so a failed write loses nothing.
    [[maybe_unused]] auto n = write(wake_fd_, &one, sizeof one);
}

std::shared_lock<std::shared_mutex> PollEventImpl::call_scope() {
    return std::shared_lock(dispatch_mutex_);
}

void PollEventImpl::drain_wake_fd() {
    uint64_t count = 0;
    [[maybe_unused]] auto n = read(wake_fd_, &count, sizeof count);
}

int PollEventImpl::add_handle(int fd, int events, virEventHandleCallback cb, void* opaque,
                              virFreeCallback free_opaque) {
    int id = 0;
    {
        std::lock_guard lock(mutex_);
        id = next_id_++;
        handles_.push_back({id, fd, events, cb, opaque, free_opaque});
    }
    wake();
    return id;
}

void PollEventImpl::update_handle(int id, int events) {
    {
        std::lock_guard lock(mutex_);
        if (auto* handle = live(handles_, id))
            handle->events = events;
    }
    wake();
}

int PollEventImpl::remove_handle(int id) {
    {
        std::lock_guard lock(mutex_);
        auto* handle = live(handles_, id);
        if (handle == nullptr)
            return -1;
        handle->deleted = true; // freed by the loop, after its dispatch
    }
    wake();
    return 0;
}

int PollEventImpl::add_timeout(int interval_ms, virEventTimeoutCallback cb, void* opaque,
                               virFreeCallback free_opaque) {
    int id = 0;
    {
        std::lock_guard lock(mutex_);
        id = next_id_++;
        timers_.push_back({id, interval_ms, Clock::now() + std::chrono::milliseconds(interval_ms),
                           cb, opaque, free_opaque});
    }
    wake();
    return id;
}

void PollEventImpl::update_timeout(int id, int interval_ms) {
    {
        std::lock_guard lock(mutex_);
        if (auto* timer = live(timers_, id)) {
            timer->interval_ms = interval_ms;
            timer->due = Clock::now() + std::chrono::milliseconds(interval_ms);
        }
    }
    wake();
}

int PollEventImpl::remove_timeout(int id) {
    {
        std::lock_guard lock(mutex_);
        auto* timer = live(timers_, id);
        if (timer == nullptr)
            return -1;
        timer->deleted = true;
    }
    wake();
    return 0;
}

int PollEventImpl::poll_timeout_ms_locked() const {
    int timeout = -1;
    const auto now = Clock::now();
    for (const auto& timer : timers_) {
        if (timer.deleted || timer.interval_ms < 0)
            continue;
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(timer.due - now).count();
        const int ms = static_cast<int>(std::clamp<int64_t>(left, 0, 60'000));
        timeout = timeout < 0 ? ms : std::min(timeout, ms);
    }
    return timeout;
}

bool PollEventImpl::run_once() {
    std::vector<pollfd> fds;
    std::vector<int> ids; // handle id per entry of fds after the first
    int timeout = -1;
    {
        std::lock_guard lock(mutex_);
        fds.push_back({wake_fd_, POLLIN, 0});
        for (const auto& handle : handles_) {
            if (handle.deleted || handle.events == 0)
                continue;
            fds.push_back({handle.fd, to_poll(handle.events), 0});
            ids.push_back(handle.id);
        }
        timeout = poll_timeout_ms_locked();
    }
    if (poll(fds.data(), fds.size(), timeout) < 0) {
        if (errno != EINTR)
            return false;
        fds.assign(fds.size(), {-1, 0, 0}); // nothing happened
    }
    if (fds.front().revents != 0)
        drain_wake_fd();
    std::vector<Ready> ready;
    for (size_t i = 1; i < fds.size(); ++i)
        if (fds[i].revents != 0)
            ready.push_back({ids[i - 1], fds[i].fd, from_poll(fds[i].revents)});
    std::unique_lock no_caller_inside_libvirt(dispatch_mutex_);
    dispatch_timers();
    dispatch_handles(ready);
    release_deleted();
    return true;
}

// Each callback runs unlocked and only while its timer still exists: an
// earlier callback may have removed it.
void PollEventImpl::dispatch_timers() {
    std::vector<int> due;
    const auto now = Clock::now();
    {
        std::lock_guard lock(mutex_);
        for (auto& timer : timers_) {
            if (timer.deleted || timer.interval_ms < 0 || timer.due > now)
                continue;
            timer.due = now + std::chrono::milliseconds(timer.interval_ms);
            due.push_back(timer.id);
        }
    }
    for (const int id : due) {
        virEventTimeoutCallback cb = nullptr;
        void* opaque = nullptr;
        {
            std::lock_guard lock(mutex_);
            const auto* timer = live(timers_, id);
            if (timer == nullptr)
                continue;
            cb = timer->cb;
            opaque = timer->opaque;
        }
        cb(id, opaque);
    }
}

void PollEventImpl::dispatch_handles(const std::vector<Ready>& ready) {
    for (const auto& event : ready) {
        virEventHandleCallback cb = nullptr;
        void* opaque = nullptr;
        {
            std::lock_guard lock(mutex_);
            const auto* handle = live(handles_, event.id);
            if (handle == nullptr || handle->events == 0)
                continue;
            cb = handle->cb;
            opaque = handle->opaque;
        }
        cb(event.id, event.fd, event.events, opaque);
    }
}

// Free callbacks run here, unlocked, after every dispatch of the iteration.
void PollEventImpl::release_deleted() {
    std::vector<std::pair<virFreeCallback, void*>> frees;
    {
        std::lock_guard lock(mutex_);
        auto collect = [&frees](auto& entries) {
            std::erase_if(entries, [&frees](const auto& e) {
                if (e.deleted && e.free_opaque != nullptr)
                    frees.emplace_back(e.free_opaque, e.opaque);
                return e.deleted;
            });
        };
        collect(handles_);
        collect(timers_);
    }
    for (const auto& [free_opaque, opaque] : frees)
        free_opaque(opaque);
}

} // namespace sevd::libvirt_helper
