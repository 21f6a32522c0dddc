#include "launcher/domain_record.h"

#include <stdexcept>
#include <string_view>

#include <pugixml.hpp>

#include "common/size_units.h"
#include "launcher/domain_xml.h"
#include "probe/domain_facts.h"

namespace sevd::launcher {
namespace {

// Rounded up: a partial MiB is still locked.
std::optional<uint64_t> memory_mib(std::optional<uint64_t> bytes) {
    if (!bytes)
        return std::nullopt;
    return *bytes / kMiB + (*bytes % kMiB != 0 ? 1 : 0);
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
    const auto facts = probe::domain_facts(domain);
    DomainRecord record;
    record.name = facts.name;
    record.uuid = facts.uuid;
    const auto memory = memory_mib(facts.memory_bytes);
    record.memory_known = memory.has_value();
    record.memory_mib = memory.value_or(0);
    record.launched_by_sevd = facts.launched_by_sevd;
    record.attestation_pending = facts.attestation_pending;
    record.policy = facts.policy;
    record.pool = facts.pool;
    record.disks = disks_of(domain.child("devices"));
    return record;
}

} // namespace sevd::launcher
