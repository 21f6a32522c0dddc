// Fuzzes request validation and domain XML building (the path of D-Bus
// Launch()/Plan()). Input format: request_text.h. Properties:
//  - validation never crashes and refuses only with LaunchError
//    (InvalidArgument, Conflict, Unsupported); a request whose strings are
//    UTF-8 (all a D-Bus caller can send) is refused with a UTF-8 message, since
//    the message travels back as the D-Bus error's text;
//  - the XML of an accepted request (with a disk path resolve_image() would
//    return) is well-formed: only XML 1.0 characters in UTF-8, and pugixml
//    parses it back;
//  - no user-supplied string becomes markup: every element and attribute name
//    is one the builder writes, the document has exactly the shape it has for
//    harmless values, and the user's values come back as the very values given;
//  - what SEV needs is always there: launchSecurity of the model's type with
//    its policy (sev 0x0033, sev 0x0037 for SEV-ES, sev-snp 0x00030000),
//    locked memory (memfd-backed for SNP), iommu='on' on every virtio device,
//    q35, UEFI;
//  - NUMA cells split the vCPUs and memory without gaps or overlaps;
//  - attestation (sevd:attestation, sevd:dh_cert, sevd:session): an accepted
//    launch is SEV or SEV-ES and carries blobs of exactly the SEV API sizes,
//    in <dhCert> and <session> as given, and no launch without it has them;
//    InjectSecret's blobs (@secret_header, @secret) are refused only with
//    InvalidArgument and accepted only at their sizes.
#include <cstdint>
#include <map>
#include <set>
#include <string>

#include <pugixml.hpp>

#include "common/text.h"
#include "launcher/attestation_rules.h"
#include "launcher/launch_error.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/launcher/request_text.h"

using namespace sevd;

namespace {

using launcher::ErrorCode;

// Every element domain_xml.cpp writes, with the attributes it may carry.
const std::map<std::string, std::set<std::string>, std::less<>>& builder_vocabulary() {
    static const std::map<std::string, std::set<std::string>, std::less<>> vocabulary{
        {"domain", {"type"}},
        {"name", {}},
        {"metadata", {}},
        {"sevd:guest", {"xmlns:sevd", "model", "attestation"}},
        {"memory", {"unit"}},
        {"currentMemory", {"unit"}},
        {"memoryBacking", {}},
        {"hugepages", {}},
        {"page", {"size", "unit"}},
        {"locked", {}},
        {"vcpu", {"placement"}},
        {"os", {"firmware"}},
        {"type", {"arch", "machine"}},
        {"boot", {"dev"}},
        {"features", {}},
        {"acpi", {}},
        {"apic", {}},
        {"cpu", {"mode", "check"}},
        {"numa", {}},
        {"cell", {"id", "cpus", "memory", "unit"}},
        {"clock", {"offset"}},
        {"devices", {}},
        {"controller", {"type", "index", "model"}},
        {"driver", {"iommu", "name", "type"}},
        {"disk", {"type", "device"}},
        {"source", {"file", "dev", "fdgroup", "network", "type"}},
        {"backingStore", {"type"}},
        {"format", {"type"}},
        {"readonly", {}},
        {"interface", {"type"}},
        {"model", {"type"}},
        {"rom", {"enabled"}},
        {"target", {"dev", "bus", "type"}},
        {"console", {"type"}},
        {"memballoon", {"model"}},
        {"launchSecurity", {"type"}},
        {"cbitpos", {}},
        {"reducedPhysBits", {}},
        {"policy", {}},
        {"dhCert", {}},
        {"session", {}},
    };
    return vocabulary;
}

bool is_xml_char(uint32_t cp) {
    return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
           (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

// Element and attribute names in document order: the document's markup.
void collect_shape(const pugi::xml_node& node, std::string& shape) {
    for (const auto& child : node.children()) {
        if (child.type() != pugi::node_element)
            continue;
        const auto& vocabulary = builder_vocabulary();
        const auto known = vocabulary.find(std::string_view(child.name()));
        fuzz::check(known != vocabulary.end(), "every element is one the builder writes");
        shape += "<" + std::string(child.name());
        for (const auto& attribute : child.attributes()) {
            fuzz::check(known->second.count(attribute.name()) == 1,
                        "every attribute is one the builder writes on that element");
            shape += " " + std::string(attribute.name());
        }
        shape += ">";
        collect_shape(child, shape);
        shape += "</>";
    }
}

struct ParsedXml {
    pugi::xml_document doc;
    std::string shape;
};

void parse_xml(const std::string& xml, ParsedXml& out) {
    const bool xml_chars = fuzz::for_each_code_point(xml, is_xml_char);
    fuzz::check(xml_chars, "the XML is UTF-8 with XML 1.0 characters only");
    const auto result = out.doc.load_string(xml.c_str());
    if (!result)
        std::fprintf(stderr, "pugixml: %s at %td\n%s\n", result.description(), result.offset,
                     xml.c_str());
    fuzz::check(static_cast<bool>(result), "the XML parses back");
    collect_shape(out.doc, out.shape);
}

// The same request with every free-form string replaced by a harmless one.
std::string harmless_xml(launcher::ValidatedRequest request, launcher::ImageLayer image,
                         const launcher::HostSecurity& host) {
    request.name = "guest";
    request.disk = "/images/disk";
    request.machine_type = "q35";
    if (request.attestation)
        request.attestation = launcher::AttestationSession{"AAAA", "AAAA"};
    image.path = "/images/disk";
    return launcher::build_domain_xml(request, launcher::ResolvedImage{{image}}, host);
}

void check_numa(const pugi::xml_node& cpu, const launcher::ValidatedRequest& request) {
    uint32_t next_cpu = 0;
    uint64_t memory = 0;
    uint32_t cells = 0;
    for (const auto& cell : cpu.child("numa").children("cell")) {
        const std::string cpus = cell.attribute("cpus").as_string();
        const auto dash = cpus.find('-');
        const auto first = std::stoul(cpus.substr(0, dash));
        const auto last = dash == std::string::npos ? first : std::stoul(cpus.substr(dash + 1));
        fuzz::check(first == next_cpu && first <= last && last < request.vcpus,
                    "NUMA cells hold consecutive, non-empty vCPU ranges");
        next_cpu = static_cast<uint32_t>(last + 1);
        memory += cell.attribute("memory").as_ullong();
        ++cells;
    }
    fuzz::check(cells == request.numa_nodes, "one cell per NUMA node");
    if (cells == 0)
        return;
    fuzz::check(next_cpu == request.vcpus, "the cells hold every vCPU");
    fuzz::check(memory <= request.memory_mib && request.memory_mib - memory < cells,
                "the cells share the memory");
}

void check_sev_shape(const pugi::xml_node& domain, const launcher::ValidatedRequest& request,
                     const fuzz::FuzzLaunch& in) {
    const auto security = domain.child("launchSecurity");
    const bool snp = request.model == EncryptionModel::SevSnp;
    const std::string policy = security.child_value("policy");
    fuzz::check(std::string_view(security.attribute("type").as_string()) ==
                    (snp ? "sev-snp" : "sev"),
                "launchSecurity type sev, sev-snp for SEV-SNP");
    fuzz::check(policy == (snp                                       ? "0x00030000"
                           : request.model == EncryptionModel::SevEs ? "0x0037"
                                                                     : "0x0033"),
                "policy 0x0033 for SEV, 0x0037 for SEV-ES, 0x00030000 for SEV-SNP");
    fuzz::check(std::string(security.child_value("cbitpos")) == std::to_string(in.host.cbitpos),
                "the host's C-bit position");
    const auto backing = domain.child("memoryBacking");
    fuzz::check(static_cast<bool>(backing.child("locked")), "guest memory is locked");
    fuzz::check(
        snp == (std::string_view(backing.child("source").attribute("type").as_string()) == "memfd"),
        "SNP guest memory (and only it) is memfd-backed");
    fuzz::check(std::string_view(domain.child("os").attribute("firmware").as_string()) == "efi",
                "UEFI firmware");
    fuzz::check(
        !domain.child("devices").child("memballoon").attribute("model").empty() &&
            std::string_view(
                domain.child("devices").child("memballoon").attribute("model").as_string()) ==
                "none",
        "no balloon");
    for (const auto& device : domain.child("devices").children()) {
        const auto driver = device.child("driver");
        const bool virtio =
            std::string_view(device.attribute("model").as_string()).starts_with("virtio") ||
            std::string_view(device.child("target").attribute("bus").as_string()) == "virtio";
        if (virtio)
            fuzz::check(std::string_view(driver.attribute("iommu").as_string()) == "on",
                        "every virtio device has iommu='on'");
    }
    check_numa(domain.child("cpu"), request);
}

void check_values(const pugi::xml_node& domain, const launcher::ValidatedRequest& request,
                  const launcher::ImageLayer& image) {
    fuzz::check(request.name == domain.child_value("name"), "the name comes back as given");
    const auto source = domain.child("devices").child("disk").child("source");
    const auto path = source.attribute(image.kind == launcher::ImageKind::Block ? "dev" : "file");
    fuzz::check(image.path == path.as_string(), "the disk path comes back as given");
    fuzz::check(request.machine_type ==
                    domain.child("os").child("type").attribute("machine").value(),
                "the machine type comes back as given");
}

void check_attestation(const pugi::xml_node& domain, const launcher::ValidatedRequest& request) {
    const auto security = domain.child("launchSecurity");
    if (!request.attestation) {
        fuzz::check(!security.child("dhCert") && !security.child("session"),
                    "no owner blobs without attestation");
        return;
    }
    fuzz::check(request.model != EncryptionModel::SevSnp, "no SEV launch attestation for SNP");
    fuzz::check(launcher::base64_decoded_size(request.attestation->dh_cert) ==
                        launcher::kSevCertificateBytes &&
                    launcher::base64_decoded_size(request.attestation->session) ==
                        launcher::kSevSessionBytes,
                "accepted owner blobs have the SEV API's sizes");
    fuzz::check(request.attestation->dh_cert == security.child_value("dhCert") &&
                    request.attestation->session == security.child_value("session"),
                "the owner's blobs come back as given");
}

void check_secret(const fuzz::FuzzLaunch& in) {
    if (!in.secret_header && !in.secret)
        return;
    const auto header = in.secret_header.value_or("");
    const auto secret = in.secret.value_or("");
    try {
        launcher::check_launch_secret(header, secret);
    } catch (const launcher::LaunchError& e) {
        fuzz::check(e.code() == ErrorCode::InvalidArgument, "secret blobs: InvalidArgument");
        fuzz::check(fuzz::is_utf8(e.what()), "secret refusals are UTF-8");
        return;
    }
    const auto secret_size = launcher::base64_decoded_size(secret);
    fuzz::check(launcher::base64_decoded_size(header) == launcher::kSevSecretHeaderBytes &&
                    secret_size && *secret_size >= 1 &&
                    *secret_size <= launcher::kMaxSevSecretBytes,
                "accepted secret blobs have their sizes");
}

bool request_is_utf8(const fuzz::FuzzLaunch& in) {
    if (!fuzz::is_utf8(in.request.name) || !fuzz::is_utf8(in.request.disk) ||
        !fuzz::is_utf8(in.context.default_machine_type))
        return false;
    for (const auto& [key, value] : in.request.properties)
        if (!fuzz::is_utf8(key) || !fuzz::is_utf8(value))
            return false;
    return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const auto in = fuzz::parse_fuzz_launch(fuzz::as_text(data, size));
    check_secret(in);
    launcher::ValidatedRequest request;
    try {
        request = launcher::validate_request(in.request, in.context);
    } catch (const launcher::LaunchError& e) {
        fuzz::check(e.code() == ErrorCode::InvalidArgument || e.code() == ErrorCode::Conflict ||
                        e.code() == ErrorCode::Unsupported,
                    "validation refuses with InvalidArgument, Conflict or Unsupported");
        fuzz::check(std::string_view(e.what()).size() > 0, "a refusal says why");
        if (request_is_utf8(in) && !fuzz::is_utf8(e.what())) {
            std::fprintf(stderr, "message: %s\n", e.what());
            fuzz::check(false, "a UTF-8 request is refused with a UTF-8 message (D-Bus text)");
        }
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "unexpected exception: %s\n", e.what());
        fuzz::check(false, "validation throws nothing but LaunchError");
    }
    fuzz::check(launcher::is_valid_guest_name(request.name), "an accepted name is a valid name");

    // resolve_image() only returns canonical paths that are safe text; a path
    // it refuses never reaches the builder.
    if (!is_safe_text(in.image.path))
        return 0;
    const auto xml =
        launcher::build_domain_xml(request, launcher::ResolvedImage{{in.image}}, in.host);
    ParsedXml built;
    parse_xml(xml, built);
    ParsedXml harmless;
    parse_xml(harmless_xml(request, in.image, in.host), harmless);
    fuzz::check(built.shape == harmless.shape,
                "user values change no markup: same shape as with harmless values");

    const auto domain = built.doc.child("domain");
    check_values(domain, request, in.image);
    check_sev_shape(domain, request, in);
    check_attestation(domain, request);
    return 0;
}
