// Reads libvirt's facts on its own thread so the daemon never waits for
// libvirt: retries with exponential backoff while libvirt is unreachable and
// re-checks periodically while it is reachable (to notice it going away and
// guests coming and going). Each reading goes to `on_facts` on this thread.
// The reading itself is `read_facts`'s (the daemon's goes through its
// sevd-libvirt helper).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "probe/host_facts.h"

namespace sevd::manager {

struct LibvirtRetryPolicy {
    std::chrono::milliseconds first_retry{500};
    std::chrono::milliseconds max_retry{30'000};
    std::chrono::milliseconds recheck{30'000}; // while connected
};

// Next wait after an unreachable reading: doubles `previous`, capped. Pure.
std::chrono::milliseconds next_retry_delay(std::chrono::milliseconds previous,
                                           const LibvirtRetryPolicy& policy);

class LibvirtWatcher {
public:
    using FactsReader = std::function<probe::LibvirtFacts(const std::string& uri)>;
    using FactsHandler = std::function<void(probe::LibvirtFacts)>;

    LibvirtWatcher(FactsReader read_facts, std::string uri, FactsHandler on_facts,
                   LibvirtRetryPolicy policy = {});
    ~LibvirtWatcher(); // stops and joins the thread
    LibvirtWatcher(const LibvirtWatcher&) = delete;
    LibvirtWatcher& operator=(const LibvirtWatcher&) = delete;

    // Read again now (Refresh, after a launch or stop, or a new URI).
    void recheck();
    void set_uri(const std::string& uri);

private:
    void run();

    const FactsReader read_facts_;
    const FactsHandler on_facts_;
    const LibvirtRetryPolicy policy_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::string uri_;
    bool recheck_ = false;
    bool stop_ = false;
    std::thread thread_; // last: starts after every member above exists
};

} // namespace sevd::manager
