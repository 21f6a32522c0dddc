// Test-side bus access: a connection to a PrivateBus with its own event-loop
// thread, and a recorder of org.freedesktop.DBus.Properties.PropertiesChanged
// signals from one object, waited on with a timeout.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <sdbus-c++/sdbus-c++.h>

namespace sevd::test {

// A plain connection (no event loop) to the bus at `address`.
std::unique_ptr<sdbus::IConnection> connect_to(const std::string& address);

// The D-Bus error name a call raised, or "ok".
inline std::string error_name_of(const std::function<void()>& call) {
    try {
        call();
    } catch (const sdbus::Error& e) {
        return e.getName();
    }
    return "ok";
}

struct PropertiesChange {
    std::string interface;
    std::map<std::string, sdbus::Variant> changed;
};

class PropertiesChangedRecorder {
public:
    // Subscribes before returning: every later change is recorded.
    PropertiesChangedRecorder(const std::string& address, const std::string& service,
                              const std::string& object_path);
    ~PropertiesChangedRecorder();
    PropertiesChangedRecorder(const PropertiesChangedRecorder&) = delete;
    PropertiesChangedRecorder& operator=(const PropertiesChangedRecorder&) = delete;

    // The first recorded change (removed from the queue) that names `property`;
    // nullopt after `timeout`.
    std::optional<PropertiesChange> wait_for(const std::string& property,
                                             std::chrono::milliseconds timeout);
    std::vector<PropertiesChange> all() const;

private:
    std::unique_ptr<sdbus::IConnection> bus_;
    std::unique_ptr<sdbus::IProxy> proxy_;
    mutable std::mutex mutex_;
    std::condition_variable arrived_;
    std::vector<PropertiesChange> changes_;
};

} // namespace sevd::test
