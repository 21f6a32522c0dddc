#include "dbus/host_object.h"

#include "dbus/bus_names.h"
#include "probe/report_json.h"

namespace sevd::dbus {

HostObject::HostObject(sdbus::IConnection& bus, const probe::HostReport& report,
                       std::function<void()> refresh)
    : AdaptorInterfaces(bus, kHostPath), props_(host_properties(report)),
      describe_json_(probe::report_to_json(report).dump(2)), refresh_(std::move(refresh)) {
    registerAdaptor();
}

HostObject::~HostObject() {
    unregisterAdaptor();
}

std::vector<std::string> HostObject::publish(const probe::HostReport& report) {
    HostProperties next = host_properties(report);
    std::vector<std::string> changed = changed_host_properties(props_, next);
    props_ = std::move(next);
    describe_json_ = probe::report_to_json(report).dump(2);
    // sd-bus reads the new values through the getters, so the cache is swapped first.
    if (!changed.empty())
        getObject().emitPropertiesChangedSignal(kHostInterface, changed);
    return changed;
}

std::string HostObject::Describe() {
    return describe_json_;
}

void HostObject::Refresh() {
    refresh_();
}

void HostObject::Certificates(sdbus::Result<std::string, std::string>&& result) {
    if (!certificates_) {
        result.returnError(sdbus::Error("org.sevd.Error.Libvirt",
                                        "the launcher is not ready yet; retry in a moment"));
        return;
    }
    certificates_(std::move(result));
}

} // namespace sevd::dbus
