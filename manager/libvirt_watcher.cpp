#include "manager/libvirt_watcher.h"

#include <algorithm>

namespace sevd::manager {

std::chrono::milliseconds next_retry_delay(std::chrono::milliseconds previous,
                                           const LibvirtRetryPolicy& policy) {
    if (previous < policy.first_retry)
        return policy.first_retry;
    return std::min(previous * 2, policy.max_retry);
}

LibvirtWatcher::LibvirtWatcher(FactsReader read_facts, std::string uri, FactsHandler on_facts,
                               LibvirtRetryPolicy policy)
    : read_facts_(std::move(read_facts)), on_facts_(std::move(on_facts)), policy_(policy),
      uri_(std::move(uri)), thread_([this] { run(); }) {}

LibvirtWatcher::~LibvirtWatcher() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

void LibvirtWatcher::recheck() {
    {
        std::lock_guard lock(mutex_);
        recheck_ = true;
    }
    wake_.notify_all();
}

void LibvirtWatcher::set_uri(const std::string& uri) {
    {
        std::lock_guard lock(mutex_);
        if (uri_ == uri)
            return;
        uri_ = uri;
        recheck_ = true;
    }
    wake_.notify_all();
}

void LibvirtWatcher::run() {
    std::chrono::milliseconds retry{0};
    bool asked = false; // this reading was asked for (recheck), not a timed retry
    std::unique_lock lock(mutex_);
    while (!stop_) {
        const std::string uri = uri_;
        recheck_ = false;
        lock.unlock();
        probe::LibvirtFacts facts = read_facts_(uri);
        const bool connected = facts.connected;
        on_facts_(std::move(facts));
        lock.lock();

        // Only timed retries back off: a reading asked for by Refresh or a
        // launch says nothing about how long libvirt has been gone, and must
        // not push the next background try further away.
        if (connected)
            retry = std::chrono::milliseconds{0};
        else if (!asked || retry.count() == 0)
            retry = next_retry_delay(retry, policy_);
        const auto wait = connected ? policy_.recheck : retry;
        asked = wake_.wait_for(lock, wait, [this] { return stop_ || recheck_; });
    }
}

} // namespace sevd::manager
