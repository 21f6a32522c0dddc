#include "dbus/host_object.h"

#include "dbus/bus_error.h"
#include "dbus/bus_names.h"
#include "probe/report_json.h"

namespace sevd::dbus {

HostObject::HostObject(sdbus::IConnection& bus, const probe::HostReport& report,
                       RefreshHandler refresh)
    : AdaptorInterfaces(bus, kHostPath), props_(host_properties(report)),
      sections_(sections_of(props_)), describe_json_(probe::report_to_json(report).dump(2)),
      refresh_(std::move(refresh)) {
    registerAdaptor();
}

HostObject::~HostObject() {
    unregisterAdaptor();
}

std::vector<std::string> HostObject::publish(const probe::HostReport& report) {
    HostProperties next = host_properties(report);
    std::vector<std::string> changed = changed_host_properties(props_, next);
    props_ = std::move(next);
    sections_ = sections_of(props_);
    describe_json_ = probe::report_to_json(report).dump(2);
    // sd-bus reads the new values through the getters, so the cache is swapped first.
    if (!changed.empty())
        getObject().emitPropertiesChangedSignal(kHostInterface, changed);
    return changed;
}

std::string HostObject::Describe() {
    return describe_json_;
}

void HostObject::Refresh(sdbus::Result<>&& result) {
    refresh_(std::move(result));
}

HostObject::Sections HostObject::sections_of(const HostProperties& props) {
    return {section_to_dbus(props.cpu), section_to_dbus(props.kernel),
            section_to_dbus(props.firmware), section_to_dbus(props.libvirt)};
}

void HostObject::Certificates(sdbus::Result<std::string, std::string>&& result) {
    if (!certificates_) {
        result.returnError(to_bus_error(launcher::LaunchError(
            launcher::ErrorCode::Libvirt, "the launcher is not ready yet; retry in a moment")));
        return;
    }
    certificates_(std::move(result));
}

} // namespace sevd::dbus
