#include "dbus/bus_service.h"

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include "common/logging.h"
#include "dbus/bus_names.h"

namespace sevd::dbus {
namespace {

const char* bus_label(BusKind bus) {
    return bus == BusKind::System ? "system" : "session";
}

} // namespace

BusService::BusService(DaemonOptions options)
    : options_(std::move(options)), manager_(options_.manager) {}

BusService::~BusService() {
    // The objects first: they refer to the manager.
    tuning_object_.reset();
    launcher_object_.reset();
    host_object_.reset();
}

int BusService::run() {
    try {
        bus_ = options_.bus == BusKind::System ? sdbus::createSystemBusConnection()
                                               : sdbus::createSessionBusConnection();
    } catch (const sdbus::Error& e) {
        spdlog::error("cannot connect to the {} bus: {} (is dbus-daemon running? "
                      "DBUS_SYSTEM_BUS_ADDRESS / DBUS_SESSION_BUS_ADDRESS say where)",
                      bus_label(options_.bus), e.getMessage());
        return 1;
    }
    bus_source_ = std::make_unique<BusLoopSource>(*bus_);
    manager_.loop().attach(*bus_source_);
    manager_.prepare(*this);
    authorizer_ = std::make_unique<Authorizer>(*bus_);
    host_object_ = std::make_unique<HostObject>(*bus_, manager_);
    launcher_object_ = std::make_unique<LauncherObject>(*bus_, *authorizer_, manager_.guests());
    tuning_object_ = std::make_unique<TuningObject>(*bus_, *authorizer_, manager_);
    try {
        bus_->requestName(kBusName);
    } catch (const sdbus::Error& e) {
        spdlog::error("cannot own {} on the {} bus: {} (another sevd is running, or the bus "
                      "policy units/org.sevd.Host1.conf is not installed)",
                      kBusName, bus_label(options_.bus), e.getMessage());
        return 1;
    }
    spdlog::info("serving {} on the {} bus ({})", kBusName, bus_label(options_.bus),
                 manager_.describe_sources());
    sd_notify(0, "READY=1\nSTATUS=Serving org.sevd.Host1");
    const int code = manager_.run();
    sd_notify(0, "STOPPING=1");
    return code;
}

void BusService::report_changed(const probe::HostReport& report) {
    const auto changed = host_object_->publish(report);
    if (!changed.empty())
        spdlog::debug("{} properties changed", changed.size());
}

void BusService::tuning_changed(const manager::TuningState& state) {
    tuning_object_->publish(state);
}

void BusService::guest_launched(const launcher::GuestInfo& guest) {
    launcher_object_->announce_launched(guest);
}

void BusService::guest_stopped(const launcher::GuestInfo& guest) {
    launcher_object_->announce_stopped(guest);
}

void BusService::guests_changed() {
    launcher_object_->announce_guests();
}

int run_daemon(const DaemonOptions& options) {
    setup_daemon_logging();
    std::unique_ptr<BusService> service;
    try {
        service = std::make_unique<BusService>(options);
    } catch (const config::ConfigError& e) {
        spdlog::error("{}", e.what());
        return 2;
    }
    return service->run();
}

} // namespace sevd::dbus
