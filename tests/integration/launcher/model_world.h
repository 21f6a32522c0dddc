// The world around the launcher in the admission model test
// (admission_model_test.cpp): the lifecycle-event pump that plays the
// daemon's loop and workers, and the outside (virsh on the same test driver
// state) that starts and destroys domains and says what really runs.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "launcher/domain_record.h"
#include "launcher/launcher.h"
#include "launcher/libvirt_events.h"
#include "libvirt_helper/libvirt_handles.h"

namespace sevd::launcher::testhost {

inline constexpr const char* kModelUri = "test:///default";

// Lifecycle events, handed to the launcher on one thread in order, as the
// daemon's loop and workers do. While libvirtd is "down" they are dropped.
class EventPump {
public:
    LibvirtEvents handlers() {
        LibvirtEvents events;
        events.on_domain_started = [this](DomainStarted e) { push({true, e.name, e.uuid}); };
        events.on_domain_stopped = [this](DomainStopped e) { push({false, e.name, e.uuid}); };
        return events;
    }
    void start(Launcher& launcher) {
        thread_ = std::thread([this, &launcher] { run(launcher); });
    }
    void stop() {
        {
            std::lock_guard lock(mutex_);
            quit_ = true;
        }
        cv_.notify_all();
        if (thread_.joinable())
            thread_.join();
    }
    void set_down(bool down) {
        std::lock_guard lock(mutex_);
        down_ = down;
    }
    // Waits until the STOPPED event of `sentinel` went through: every event
    // before it did too (libvirt delivers a connection's events in order).
    bool wait_for(const std::string& sentinel) {
        std::unique_lock lock(mutex_);
        return cv_.wait_for(lock, std::chrono::seconds(10),
                            [&] { return seen_.erase(sentinel) > 0; });
    }

private:
    struct Item {
        bool started;
        std::string name;
        std::string uuid;
    };
    void push(Item item) {
        {
            std::lock_guard lock(mutex_);
            if (down_ && !item.name.starts_with("sentinel"))
                return;
            queue_.push_back(std::move(item));
        }
        cv_.notify_all();
    }
    // A listing that fails is a killed helper: the daemon re-syncs again on
    // the connection-closed notice, and on the watcher's readings after.
    static void started(Launcher& launcher, const DomainStarted& event) {
        for (int attempt = 0; attempt < 100; ++attempt) {
            try {
                launcher.domain_started(event);
                return;
            } catch (const LaunchError&) {
                // injected: try again, as the daemon does
            }
        }
        ADD_FAILURE() << "the re-sync after '" << event.name << "' started kept failing";
    }
    void run(Launcher& launcher) {
        std::unique_lock lock(mutex_);
        while (true) {
            cv_.wait(lock, [&] { return quit_ || !queue_.empty(); });
            if (quit_)
                return;
            auto item = std::move(queue_.front());
            queue_.pop_front();
            if (item.name.starts_with("sentinel")) {
                if (!item.started)
                    seen_.insert(item.name);
                cv_.notify_all();
                continue;
            }
            lock.unlock();
            if (item.started)
                started(launcher, {item.name, item.uuid});
            else
                (void)launcher.domain_stopped({item.name, item.uuid, "event"});
            lock.lock();
        }
    }

    std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<Item> queue_;
    std::set<std::string> seen_;
    bool down_ = false;
    bool quit_ = false;
    std::thread thread_;
};

// What libvirt really runs, through a connection of its own.
struct Truth {
    uint32_t sev = 0;
    uint32_t sev_es = 0;
    uint64_t locked_bytes = 0; // with a given overhead
    std::set<std::string> names;
    std::set<std::string> sevd_names;
};

// The outside world: another client of the same driver state (virsh).
class Outside {
public:
    Outside() {
        std::string error;
        conn_ = libvirt::open_read_write(kModelUri, error);
        EXPECT_TRUE(conn_) << error;
    }
    std::vector<DomainRecord> running() {
        std::vector<DomainRecord> records;
        virDomainPtr* raw = nullptr;
        const int n = virConnectListAllDomains(conn_.get(), &raw, VIR_CONNECT_LIST_DOMAINS_ACTIVE);
        for (int i = 0; i < n; ++i) {
            libvirt::DomainPtr domain(raw[i]);
            char* xml = virDomainGetXMLDesc(domain.get(), 0);
            if (xml == nullptr)
                continue;
            auto record = parse_domain_record(xml);
            std::free(xml); // NOLINT
            if (record.pool)
                records.push_back(std::move(record));
        }
        std::free(raw); // NOLINT
        return records;
    }
    Truth truth(uint64_t overhead_mib) {
        Truth t;
        for (const auto& r : running()) {
            ++(*r.pool == EncryptionModel::Sev ? t.sev : t.sev_es);
            t.locked_bytes += (r.memory_mib + overhead_mib) * (uint64_t{1} << 20);
            t.names.insert(r.name);
            if (r.launched_by_sevd)
                t.sevd_names.insert(r.name);
        }
        return t;
    }
    // Defines (when needed) and starts a foreign encrypted domain.
    bool start_foreign(const std::string& name, EncryptionModel model, uint64_t mib) {
        const std::string xml =
            "<domain type='kvm'><name>" + name + "</name><memory unit='MiB'>" +
            std::to_string(mib) +
            "</memory><vcpu>1</vcpu><os><type arch='x86_64'>hvm</type></os>"
            "<launchSecurity type='sev'><cbitpos>47</cbitpos><reducedPhysBits>1</reducedPhysBits>"
            "<policy>" +
            (model == EncryptionModel::Sev ? "0x0033" : "0x0037") +
            "</policy></launchSecurity></domain>";
        libvirt::DomainPtr domain(virDomainDefineXML(conn_.get(), xml.c_str()));
        return domain && virDomainCreate(domain.get()) == 0;
    }
    bool start_defined(const std::string& name) {
        libvirt::DomainPtr domain(virDomainLookupByName(conn_.get(), name.c_str()));
        return domain && virDomainIsActive(domain.get()) == 0 && virDomainCreate(domain.get()) == 0;
    }
    bool destroy(const std::string& name) {
        libvirt::DomainPtr domain(virDomainLookupByName(conn_.get(), name.c_str()));
        return domain && virDomainIsActive(domain.get()) == 1 &&
               virDomainDestroy(domain.get()) == 0;
    }
    std::optional<DomainRecord> defined(const std::string& name) {
        libvirt::DomainPtr domain(virDomainLookupByName(conn_.get(), name.c_str()));
        if (!domain)
            return std::nullopt;
        char* xml = virDomainGetXMLDesc(domain.get(), 0);
        auto record = parse_domain_record(xml);
        std::free(xml); // NOLINT
        return record;
    }
    // A plain domain started and destroyed: its STOPPED event marks the end
    // of every event before it.
    void sentinel(const std::string& name) {
        const std::string xml = "<domain type='test'><name>" + name +
                                "</name><memory unit='MiB'>16</memory><os><type>hvm</type></os>"
                                "</domain>";
        libvirt::DomainPtr domain(virDomainCreateXML(conn_.get(), xml.c_str(), 0));
        ASSERT_TRUE(domain) << libvirt::last_error_message();
        ASSERT_EQ(virDomainDestroy(domain.get()), 0) << libvirt::last_error_message();
    }
    void remove_all(const std::string& prefix) {
        virDomainPtr* raw = nullptr;
        const int n = virConnectListAllDomains(conn_.get(), &raw, 0);
        for (int i = 0; i < n; ++i) {
            libvirt::DomainPtr domain(raw[i]);
            if (!std::string(virDomainGetName(domain.get())).starts_with(prefix))
                continue;
            if (virDomainIsActive(domain.get()) == 1)
                virDomainDestroy(domain.get());
            // The test driver knows no NVRAM flag: plain undefine then.
            if (virDomainUndefineFlags(domain.get(), VIR_DOMAIN_UNDEFINE_NVRAM) != 0)
                virDomainUndefine(domain.get());
        }
        std::free(raw); // NOLINT
    }

private:
    libvirt::ConnectPtr conn_;
};

} // namespace sevd::launcher::testhost
