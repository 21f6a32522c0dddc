#include "dbus/host_object.h"

#include <memory>

#include "dbus/bus_names.h"
#include "dbus/reply.h"
#include "probe/report_json.h"

namespace sevd::dbus {

HostObject::HostObject(sdbus::IConnection& bus, manager::Manager& manager)
    : AdaptorInterfaces(bus, kHostPath), props_(host_properties(manager.report())),
      sections_(sections_of(props_)),
      describe_json_(probe::report_to_json(manager.report()).dump(2)), manager_(manager) {
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
    auto reply = std::make_shared<sdbus::Result<>>(std::move(result));
    manager_.refresh([reply] { reply->returnResults(); });
}

HostObject::Sections HostObject::sections_of(const HostProperties& props) {
    return {section_to_dbus(props.cpu), section_to_dbus(props.kernel),
            section_to_dbus(props.firmware), section_to_dbus(props.libvirt)};
}

// Readable by anyone: the platform's public keys, from libvirt.
void HostObject::Certificates(sdbus::Result<std::string, std::string>&& result) {
    manager_.guests().certificates(reply_to<launcher::SevCertificates>(
        std::move(result),
        [](sdbus::Result<std::string, std::string>& reply, const launcher::SevCertificates& c) {
            reply.returnResults(c.pdh, c.cert_chain);
        }));
}

} // namespace sevd::dbus
