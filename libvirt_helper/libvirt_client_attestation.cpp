// LibvirtClient's attestation calls: the platform certificates, a paused
// start, the launch measurement, secret injection and resume.
#include <cstdlib>
#include <memory>
#include <sstream>

#include <pugixml.hpp>

#include "libvirt_helper/libvirt_client.h"
#include "libvirt_helper/libvirt_operation.h"
#include "probe/domain_mark.h"

namespace sevd::libvirt_helper {
namespace {

// libvirt's typed parameter arrays, freed with virTypedParamsFree.
struct TypedParams {
    virTypedParameterPtr params = nullptr;
    int count = 0;
    TypedParams() = default;
    TypedParams(const TypedParams&) = delete;
    TypedParams& operator=(const TypedParams&) = delete;
    ~TypedParams() { virTypedParamsFree(params, count); }
};

std::string string_param(const TypedParams& from, const char* key, const std::string& what) {
    const char* value = nullptr;
    if (virTypedParamsGetString(from.params, from.count, key, &value) != 1 || value == nullptr)
        throw OperationFailed(what + " carries no '" + key + "'");
    return value;
}

uint32_t uint_param(const TypedParams& from, const char* key, const std::string& what) {
    unsigned value = 0;
    if (virTypedParamsGetUInt(from.params, from.count, key, &value) != 1)
        throw OperationFailed(what + " carries no '" + key + "'");
    return value;
}

// sevd's mark as libvirt holds it, with attestation="resumed": the element
// without its namespace prefix and declarations (virDomainSetMetadata adds them).
std::string resumed_mark(const std::string& mark_xml) {
    pugi::xml_document doc;
    if (!doc.load_buffer(mark_xml.data(), mark_xml.size()) || !doc.first_child())
        throw OperationFailed("sevd's mark on the domain does not parse: " + mark_xml);
    pugi::xml_document out;
    auto mark = out.append_child("guest");
    for (const auto& attribute : doc.first_child().attributes()) {
        const std::string_view name = attribute.name();
        if (name != "xmlns" && !name.starts_with("xmlns:") && name != probe::kAttestationAttribute)
            mark.append_attribute(attribute.name()) = attribute.value();
    }
    mark.append_attribute(std::string(probe::kAttestationAttribute).c_str()) =
        std::string(probe::kAttestationResumed).c_str();
    std::ostringstream text;
    out.save(text, "", pugi::format_raw | pugi::format_no_declaration);
    return text.str();
}

// Records on the domain (live and persistent definition) that sevd resumes it.
void mark_resumed(virDomainPtr domain, const std::string& name) {
    const std::string ns(probe::kSevdMetadataNamespace);
    char* raw = virDomainGetMetadata(domain, VIR_DOMAIN_METADATA_ELEMENT, ns.c_str(),
                                     VIR_DOMAIN_AFFECT_LIVE);
    if (raw == nullptr)
        fail("reading sevd's mark on '" + name + "' failed");
    const std::string current(raw);
    std::free(raw); // NOLINT: libvirt allocates with malloc
    const auto updated = resumed_mark(current);
    unsigned flags = VIR_DOMAIN_AFFECT_LIVE;
    if (virDomainIsPersistent(domain) == 1)
        flags |= VIR_DOMAIN_AFFECT_CONFIG;
    if (virDomainSetMetadata(domain, VIR_DOMAIN_METADATA_ELEMENT, updated.c_str(), "sevd",
                             ns.c_str(), flags) != 0)
        fail("recording the resume of '" + name + "' in sevd's mark failed");
}

} // namespace

std::string LibvirtClient::define_and_start_paused(const std::string& domain_xml,
                                                   const std::vector<FdGroup>& fds) {
    return define_and_start_flags(domain_xml, fds, VIR_DOMAIN_START_PAUSED);
}

SevCertificates LibvirtClient::sev_certificates() {
    SevCertificates out;
    run("node SEV info", [&](virConnectPtr conn) {
        TypedParams info;
        if (virNodeGetSEVInfo(conn, &info.params, &info.count, 0) != 0)
            fail("reading the platform's SEV certificates failed");
        const std::string what = "virNodeGetSEVInfo";
        out.pdh = string_param(info, VIR_NODE_SEV_PDH, what);
        out.cert_chain = string_param(info, VIR_NODE_SEV_CERT_CHAIN, what);
    });
    return out;
}

LaunchMeasurement LibvirtClient::launch_measurement(const std::string& name) {
    LaunchMeasurement out;
    run("launch security info", [&](virConnectPtr conn) {
        const auto domain = lookup(conn, name);
        TypedParams info;
        if (virDomainGetLaunchSecurityInfo(domain.get(), &info.params, &info.count, 0) != 0)
            fail("reading the launch measurement of '" + name + "' failed");
        const std::string what = "the launch security info of '" + name + "'";
        out.measurement = string_param(info, VIR_DOMAIN_LAUNCH_SECURITY_SEV_MEASUREMENT, what);
        out.api_major = uint_param(info, VIR_DOMAIN_LAUNCH_SECURITY_SEV_API_MAJOR, what);
        out.api_minor = uint_param(info, VIR_DOMAIN_LAUNCH_SECURITY_SEV_API_MINOR, what);
        out.build_id = uint_param(info, VIR_DOMAIN_LAUNCH_SECURITY_SEV_BUILD_ID, what);
        out.policy = uint_param(info, VIR_DOMAIN_LAUNCH_SECURITY_SEV_POLICY, what);
    });
    return out;
}

void LibvirtClient::inject_launch_secret(const std::string& name, const LaunchSecret& secret) {
    run(
        "launch secret",
        [&](virConnectPtr conn) {
            const auto domain = lookup(conn, name);
            TypedParams params;
            int capacity = 0;
            const bool built =
                virTypedParamsAddString(&params.params, &params.count, &capacity,
                                        VIR_DOMAIN_LAUNCH_SECURITY_SEV_SECRET_HEADER,
                                        secret.header.c_str()) == 0 &&
                virTypedParamsAddString(&params.params, &params.count, &capacity,
                                        VIR_DOMAIN_LAUNCH_SECURITY_SEV_SECRET,
                                        secret.secret.c_str()) == 0 &&
                (secret.gpa == 0 ||
                 virTypedParamsAddULLong(&params.params, &params.count, &capacity,
                                         VIR_DOMAIN_LAUNCH_SECURITY_SEV_SECRET_SET_ADDRESS,
                                         secret.gpa) == 0);
            if (!built)
                fail("building the launch secret parameters failed");
            if (virDomainSetLaunchSecurityState(domain.get(), params.params, params.count, 0) != 0)
                fail("injecting the launch secret into '" + name + "' failed");
        },
        Effect::Changes);
}

void LibvirtClient::resume(const std::string& name) {
    run(
        "resume",
        [&](virConnectPtr conn) {
            const auto domain = lookup(conn, name);
            mark_resumed(domain.get(), name);
            if (virDomainResume(domain.get()) != 0)
                fail("resuming '" + name + "' failed");
        },
        Effect::Changes);
}

} // namespace sevd::libvirt_helper
