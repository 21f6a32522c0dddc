#include "tests/support/bus_client.h"

namespace sevd::test {

std::unique_ptr<sdbus::IConnection> connect_to(const std::string& address) {
    return sdbus::createSessionBusConnectionWithAddress(address);
}

PropertiesChangedRecorder::PropertiesChangedRecorder(const std::string& address,
                                                     const std::string& service,
                                                     const std::string& object_path)
    : bus_(connect_to(address)), proxy_(sdbus::createProxy(*bus_, service, object_path)) {
    proxy_->uponSignal("PropertiesChanged")
        .onInterface("org.freedesktop.DBus.Properties")
        .call([this](const std::string& interface,
                     const std::map<std::string, sdbus::Variant>& changed,
                     const std::vector<std::string>&) {
            {
                std::lock_guard lock(mutex_);
                changes_.push_back({interface, changed});
            }
            arrived_.notify_all();
        });
    proxy_->finishRegistration(); // AddMatch is sent synchronously here
    bus_->enterEventLoopAsync();
}

PropertiesChangedRecorder::~PropertiesChangedRecorder() {
    bus_->leaveEventLoop();
    proxy_.reset();
}

std::optional<PropertiesChange>
PropertiesChangedRecorder::wait_for(const std::string& property,
                                    std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    std::optional<PropertiesChange> found;
    arrived_.wait_for(lock, timeout, [&] {
        for (auto it = changes_.begin(); it != changes_.end(); ++it) {
            if (it->changed.count(property) != 0) {
                found = *it;
                changes_.erase(it);
                return true;
            }
        }
        return false;
    });
    return found;
}

std::vector<PropertiesChange> PropertiesChangedRecorder::all() const {
    std::lock_guard lock(mutex_);
    return changes_;
}

} // namespace sevd::test
