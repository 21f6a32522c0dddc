#include "dbus/launcher_object.h"

#include "dbus/bus_names.h"
#include "dbus/reply.h"

namespace sevd::dbus {
namespace {

launcher::LaunchRequest make_request(std::string name, uint64_t memory_mib, uint32_t vcpus,
                                     std::string disk,
                                     std::map<std::string, std::string> properties) {
    return {std::move(name), memory_mib, vcpus, std::move(disk), std::move(properties)};
}

// Answers with the guest's UUID (Launch, Start).
void reply_uuid(sdbus::Result<std::string>& reply, const launcher::GuestInfo& guest) {
    reply.returnResults(guest.uuid);
}

void reply_empty(sdbus::Result<>& reply, const launcher::GuestInfo&) {
    reply.returnResults();
}

} // namespace

LauncherObject::LauncherObject(sdbus::IConnection& bus, Authorizer& authorizer,
                               manager::GuestManager& guests)
    : AdaptorInterfaces(bus, kLauncherPath), authorizer_(authorizer), guests_(guests) {
    registerAdaptor();
}

LauncherObject::~LauncherObject() {
    unregisterAdaptor();
}

void LauncherObject::announce_launched(const launcher::GuestInfo& guest) {
    emitGuestLaunched(guest.name, guest.uuid, std::string(model_name(guest.model)));
}

void LauncherObject::announce_stopped(const launcher::GuestInfo& guest) {
    emitGuestStopped(guest.name, guest.uuid);
}

void LauncherObject::announce_guests() {
    getObject().emitPropertiesChangedSignal(kLauncherInterface, {"Guests", "AllGuests"});
}

void LauncherObject::authorize() {
    authorizer_.require(getObject().getCurrentlyProcessedMessage()->getSender(), kLaunchAction);
}

void LauncherObject::Launch(sdbus::Result<std::string>&& result, std::string name,
                            uint64_t memory_mib, uint32_t vcpus, std::string disk,
                            Arguments properties) {
    authorize();
    guests_.launch(
        make_request(std::move(name), memory_mib, vcpus, std::move(disk), std::move(properties)),
        reply_to<launcher::GuestInfo>(std::move(result), reply_uuid));
}

void LauncherObject::Plan(sdbus::Result<std::string>&& result, std::string name,
                          uint64_t memory_mib, uint32_t vcpus, std::string disk,
                          Arguments properties) {
    authorize();
    guests_.plan(
        make_request(std::move(name), memory_mib, vcpus, std::move(disk), std::move(properties)),
        reply_to<std::string>(std::move(result),
                              [](sdbus::Result<std::string>& reply, const std::string& xml) {
                                  reply.returnResults(xml);
                              }));
}

void LauncherObject::Stop(sdbus::Result<>&& result, std::string name) {
    authorize();
    guests_.stop(std::move(name), reply_to<launcher::GuestInfo>(std::move(result), reply_empty));
}

void LauncherObject::Start(sdbus::Result<std::string>&& result, std::string name) {
    authorize();
    guests_.start(std::move(name), reply_to<launcher::GuestInfo>(std::move(result), reply_uuid));
}

void LauncherObject::Shutdown(sdbus::Result<>&& result, std::string name) {
    authorize();
    guests_.shutdown(std::move(name),
                     reply_to<launcher::GuestInfo>(std::move(result), reply_empty));
}

std::vector<sdbus::Struct<std::string, std::string, std::string, uint64_t, std::string>>
LauncherObject::AllGuests() {
    std::vector<sdbus::Struct<std::string, std::string, std::string, uint64_t, std::string>> out;
    for (const auto& guest : guests_.all_guests())
        out.emplace_back(guest.info.name, guest.info.uuid,
                         std::string(model_name(guest.info.model)), guest.info.memory_mib,
                         std::string(guest.running ? "running" : "shut off"));
    return out;
}

std::vector<sdbus::Struct<std::string, std::string, std::string, uint64_t>>
LauncherObject::Guests() {
    const auto guests = guests_.guests();
    std::vector<sdbus::Struct<std::string, std::string, std::string, uint64_t>> out;
    out.reserve(guests.size());
    for (const auto& guest : guests)
        out.emplace_back(guest.name, guest.uuid, std::string(model_name(guest.model)),
                         guest.memory_mib);
    return out;
}

} // namespace sevd::dbus
