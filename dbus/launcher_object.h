// org.sevd.Launcher1 at /org/sevd/Launcher1. Adapts only: checks the caller
// (polkit org.sevd.launch), hands the call to the manager's GuestManager
// (manager/guest_manager.h says what each member does) and turns its answer
// into the reply or the named error; emits what the manager announces.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <sdbus-c++/sdbus-c++.h>

#include "dbus/authorizer.h"
#include "dbus/generated/org.sevd.Launcher1_adaptor.h"
#include "manager/guest_manager.h"

namespace sevd::dbus {

class LauncherObject final : public sdbus::AdaptorInterfaces<org::sevd::Launcher1_adaptor> {
public:
    LauncherObject(sdbus::IConnection& bus, Authorizer& authorizer, manager::GuestManager& guests);
    ~LauncherObject();
    LauncherObject(const LauncherObject&) = delete;
    LauncherObject& operator=(const LauncherObject&) = delete;

    void announce_launched(const launcher::GuestInfo& guest);
    void announce_stopped(const launcher::GuestInfo& guest);
    void announce_guests(); // Guests and AllGuests may read differently

private:
    using Arguments = std::map<std::string, std::string>;
    void Launch(sdbus::Result<std::string>&& result, std::string name, uint64_t memory_mib,
                uint32_t vcpus, std::string disk, Arguments properties) override;
    void Plan(sdbus::Result<std::string>&& result, std::string name, uint64_t memory_mib,
              uint32_t vcpus, std::string disk, Arguments properties) override;
    void Stop(sdbus::Result<>&& result, std::string name) override;
    void Start(sdbus::Result<std::string>&& result, std::string name) override;
    void Shutdown(sdbus::Result<>&& result, std::string name) override;
    std::vector<sdbus::Struct<std::string, std::string, std::string, uint64_t>> Guests() override;
    std::vector<sdbus::Struct<std::string, std::string, std::string, uint64_t, std::string>>
    AllGuests() override;
    // Attestation: launcher_object_attestation.cpp.
    void Measurement(sdbus::Result<std::string, uint32_t, uint32_t, uint32_t, uint32_t>&& result,
                     std::string name) override;
    void InjectSecret(sdbus::Result<>&& result, std::string name, std::string header,
                      std::string secret, uint64_t gpa) override;
    void Resume(sdbus::Result<>&& result, std::string name) override;

    void authorize();

    Authorizer& authorizer_;
    manager::GuestManager& guests_;
};

} // namespace sevd::dbus
