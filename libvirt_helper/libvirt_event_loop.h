// The thread that runs libvirt's event loop (PollEventImpl, sevd's own
// implementation of libvirt's event interface): it delivers domain lifecycle
// events and connection-close notices to the callbacks registered on a
// connection (EventSubscription), and lets a remote connection notice
// libvirtd going away between calls.
//
// The implementation is registered once per process, and must be registered
// before a connection that wants events is opened: libvirt's remote driver
// binds a connection's socket to the event loop when it opens. One running
// loop per process; the destructor sets a quit flag, wakes the loop and joins.
#pragma once

#include <atomic>
#include <thread>

namespace sevd::libvirt_helper {

class LibvirtEventLoop {
public:
    // Registers the implementation with libvirt (first time only) and starts
    // the thread. Throws std::runtime_error when libvirt refuses, or when
    // another LibvirtEventLoop runs.
    LibvirtEventLoop();
    ~LibvirtEventLoop();
    LibvirtEventLoop(const LibvirtEventLoop&) = delete;
    LibvirtEventLoop& operator=(const LibvirtEventLoop&) = delete;

private:
    void run();

    std::atomic<bool> quit_{false};
    std::thread thread_; // last: starts once quit_ exists
};

} // namespace sevd::libvirt_helper
