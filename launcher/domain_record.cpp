#include "launcher/domain_record.h"

#include <array>
#include <charconv>
#include <stdexcept>
#include <string_view>

#include <pugixml.hpp>

#include "launcher/domain_xml.h"
#include "launcher/sev_policy.h"

namespace sevd::launcher {
namespace {

struct Unit {
    std::string_view name;
    uint64_t bytes;
};

constexpr uint64_t kKiB = 1024;
constexpr uint64_t kMiB = kKiB * 1024;
constexpr std::array<Unit, 15> kUnits = {{{"b", 1},
                                          {"bytes", 1},
                                          {"k", kKiB},
                                          {"KiB", kKiB},
                                          {"KB", 1000},
                                          {"M", kMiB},
                                          {"MiB", kMiB},
                                          {"MB", 1000 * 1000},
                                          {"G", kMiB* kKiB},
                                          {"GiB", kMiB* kKiB},
                                          {"GB", 1000 * 1000 * 1000},
                                          {"T", kMiB* kMiB},
                                          {"TiB", kMiB* kMiB},
                                          {"TB", 1000ull * 1000 * 1000 * 1000},
                                          {"", kKiB}}}; // libvirt's default unit is KiB

uint64_t parse_number(std::string_view text, int base) {
    uint64_t value = 0;
    std::from_chars(text.data(), text.data() + text.size(), value, base);
    return value;
}

uint64_t memory_mib(pugi::xml_node memory) {
    const std::string_view unit = memory.attribute("unit").as_string();
    const auto amount = parse_number(memory.child_value(), 10);
    for (const auto& u : kUnits)
        if (u.name == unit)
            return amount * u.bytes / kMiB;
    return amount * kKiB / kMiB;
}

uint32_t parse_policy(std::string_view text) {
    if (text.starts_with("0x") || text.starts_with("0X"))
        return static_cast<uint32_t>(parse_number(text.substr(2), 16));
    return static_cast<uint32_t>(parse_number(text, 10));
}

ImageLayer layer_of(pugi::xml_node holder, std::string_view type, std::string_view format) {
    const auto source = holder.child("source");
    ImageLayer layer;
    layer.kind = type == "block" ? ImageKind::Block : ImageKind::File;
    layer.path = source.attribute(layer.kind == ImageKind::Block ? "dev" : "file").as_string();
    layer.format = format == "qcow2" ? ImageFormat::Qcow2 : ImageFormat::Raw;
    layer.fd_group = source.attribute("fdgroup").as_string();
    return layer;
}

// The disk and each <backingStore> holding a source, down to the empty one.
RecordedDisk disk_of(pugi::xml_node disk) {
    RecordedDisk out;
    out.read_only = static_cast<bool>(disk.child("readonly"));
    out.image.chain.push_back(layer_of(disk, disk.attribute("type").as_string(),
                                       disk.child("driver").attribute("type").as_string()));
    for (auto store = disk.child("backingStore"); store && store.child("source");
         store = store.child("backingStore"))
        out.image.chain.push_back(layer_of(store, store.attribute("type").as_string(),
                                           store.child("format").attribute("type").as_string()));
    return out;
}

std::vector<RecordedDisk> disks_of(pugi::xml_node devices) {
    std::vector<RecordedDisk> disks;
    for (auto disk : devices.children("disk")) {
        const std::string_view type = disk.attribute("type").as_string();
        if ((type == "file" || type == "block") && disk.child("source"))
            disks.push_back(disk_of(disk));
    }
    return disks;
}

} // namespace

DomainRecord parse_domain_record(const std::string& domain_xml) {
    pugi::xml_document doc;
    if (!doc.load_buffer(domain_xml.data(), domain_xml.size()))
        throw std::runtime_error("libvirt returned domain XML that does not parse");
    const auto domain = doc.child("domain");
    if (!domain)
        throw std::runtime_error("libvirt returned XML without a <domain> element");
    DomainRecord record;
    record.name = domain.child_value("name");
    record.uuid = domain.child_value("uuid");
    record.memory_mib = memory_mib(domain.child("memory"));
    for (auto mark : domain.child("metadata").children()) {
        if (std::string_view(mark.name()) == kSevdMetadataElement ||
            mark.attribute("xmlns:sevd").as_string() == kSevdMetadataNamespace)
            record.launched_by_sevd = true;
    }
    const auto security = domain.child("launchSecurity");
    const std::string_view type = security.attribute("type").as_string();
    record.policy = parse_policy(security.child_value("policy"));
    if (type == "sev")
        record.pool = model_from_policy(record.policy);
    else if (type == "sev-snp")
        record.pool = EncryptionModel::SevEs;
    record.disks = disks_of(domain.child("devices"));
    return record;
}

} // namespace sevd::launcher
