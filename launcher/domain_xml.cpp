#include "launcher/domain_xml.h"

#include <cstdio>
#include <sstream>

#include <pugixml.hpp>

#include "launcher/sev_policy.h"

namespace sevd::launcher {
namespace {

constexpr const char* kDomainType = "kvm"; // SEV needs KVM; TCG cannot encrypt
constexpr const char* kArch = "x86_64";

pugi::xml_node child(pugi::xml_node parent, const char* name) {
    return parent.append_child(name);
}

void attr(pugi::xml_node node, const char* name, const char* value) {
    node.append_attribute(name).set_value(value);
}

void text(pugi::xml_node node, const std::string& value) {
    node.append_child(pugi::node_pcdata).set_value(value.c_str());
}

void iommu_driver(pugi::xml_node device) {
    attr(child(device, "driver"), "iommu", "on");
}

// SEV policies as libvirt's examples print them: 0x0033, 0x00030000.
std::string hex_policy(uint32_t policy) {
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, policy > 0xFFFF ? "0x%08x" : "0x%04x", policy);
    return buffer;
}

void add_identity(pugi::xml_node domain, const ValidatedRequest& request) {
    text(child(domain, "name"), request.name);
    auto metadata = child(domain, "metadata");
    auto mark = child(metadata, std::string(kSevdMetadataElement).c_str());
    attr(mark, "xmlns:sevd", std::string(kSevdMetadataNamespace).c_str());
    attr(mark, "model", std::string(model_name(request.model)).c_str());
    if (request.attestation)
        attr(mark, std::string(probe::kAttestationAttribute).c_str(),
             std::string(probe::kAttestationPending).c_str());
}

void add_memory(pugi::xml_node domain, const ValidatedRequest& request) {
    const auto mib = std::to_string(request.memory_mib);
    for (const char* name : {"memory", "currentMemory"}) {
        auto node = child(domain, name);
        attr(node, "unit", "MiB");
        text(node, mib);
    }
    auto backing = child(domain, "memoryBacking");
    if (request.page_size.huge) {
        auto hugepages = child(backing, "hugepages");
        if (request.page_size.size_kib != 0) {
            auto page = child(hugepages, "page");
            attr(page, "size", std::to_string(request.page_size.size_kib).c_str());
            attr(page, "unit", "KiB");
        }
    }
    // SNP guests' private memory is guest_memfd; QEMU backs it with memfd.
    if (request.model == EncryptionModel::SevSnp)
        attr(child(backing, "source"), "type", "memfd");
    child(backing, "locked"); // SEV pins guest memory; say so, so limits account for it
}

void add_os(pugi::xml_node domain, const ValidatedRequest& request) {
    auto vcpu = child(domain, "vcpu");
    attr(vcpu, "placement", "static");
    text(vcpu, std::to_string(request.vcpus));
    auto os = child(domain, "os");
    attr(os, "firmware", "efi");
    auto type = child(os, "type");
    attr(type, "arch", kArch);
    attr(type, "machine", request.machine_type.c_str());
    text(type, "hvm");
    attr(child(os, "boot"), "dev", "hd");
    auto features = child(domain, "features");
    child(features, "acpi");
    child(features, "apic");
}

// vCPUs and memory split evenly over the cells; leftover vCPUs go to the first cells.
void add_cpu(pugi::xml_node domain, const ValidatedRequest& request) {
    auto cpu = child(domain, "cpu");
    attr(cpu, "mode", "host-passthrough");
    attr(cpu, "check", "none");
    if (request.numa_nodes == 0)
        return;
    auto numa = child(cpu, "numa");
    const uint32_t base = request.vcpus / request.numa_nodes;
    const uint32_t extra = request.vcpus % request.numa_nodes;
    const auto cell_mib = std::to_string(request.memory_mib / request.numa_nodes);
    uint32_t first = 0;
    for (uint32_t id = 0; id < request.numa_nodes; ++id) {
        const uint32_t count = base + (id < extra ? 1 : 0);
        const auto last = first + count - 1;
        auto cell = child(numa, "cell");
        attr(cell, "id", std::to_string(id).c_str());
        const auto cpus =
            count == 1 ? std::to_string(first) : std::to_string(first) + "-" + std::to_string(last);
        attr(cell, "cpus", cpus.c_str());
        attr(cell, "memory", cell_mib.c_str());
        attr(cell, "unit", "MiB");
        first += count;
    }
}

const char* format_text(ImageFormat format) {
    return format == ImageFormat::Qcow2 ? "qcow2" : "raw";
}

// <source> of one layer: a file arrives as its descriptor group, libvirt opens
// nothing by name; a block device can only be named (libvirt 9.0).
void add_source(pugi::xml_node parent, const ImageLayer& layer) {
    auto source = child(parent, "source");
    const bool block = layer.kind == ImageKind::Block;
    attr(source, block ? "dev" : "file", layer.path.c_str());
    if (!layer.fd_group.empty())
        attr(source, "fdgroup", layer.fd_group.c_str());
}

// Every backing file with its format stated, ending in an empty <backingStore/>
// so libvirt never probes the last one.
void add_backing_chain(pugi::xml_node disk, const ResolvedImage& image) {
    auto parent = disk;
    for (size_t i = 1; i < image.chain.size(); ++i) {
        const auto& layer = image.chain[i];
        auto store = child(parent, "backingStore");
        attr(store, "type", layer.kind == ImageKind::Block ? "block" : "file");
        attr(child(store, "format"), "type", format_text(layer.format));
        add_source(store, layer);
        parent = store;
    }
    child(parent, "backingStore");
}

pugi::xml_node add_disk_node(pugi::xml_node devices, const ResolvedImage& image,
                             const char* device) {
    const auto& top = image.chain.front();
    auto disk = child(devices, "disk");
    attr(disk, "type", top.kind == ImageKind::Block ? "block" : "file");
    attr(disk, "device", device);
    auto driver = child(disk, "driver");
    attr(driver, "name", "qemu");
    attr(driver, "type", format_text(top.format));
    add_source(disk, top);
    add_backing_chain(disk, image);
    return disk;
}

void add_disk(pugi::xml_node devices, const ValidatedRequest& request, const ResolvedImage& image) {
    if (request.disk_bus == DiskBus::Scsi) {
        auto controller = child(devices, "controller");
        attr(controller, "type", "scsi");
        attr(controller, "index", "0");
        attr(controller, "model", "virtio-scsi");
        iommu_driver(controller);
    }
    auto disk = add_disk_node(devices, image, "disk");
    const bool virtio = request.disk_bus == DiskBus::Virtio;
    if (virtio)
        attr(disk.child("driver"), "iommu", "on");
    auto target = child(disk, "target");
    attr(target, "dev", virtio ? "vda" : "sda");
    attr(target, "bus", virtio ? "virtio" : request.disk_bus == DiskBus::Scsi ? "scsi" : "sata");
}

// A first-boot seed: a read-only CD-ROM on q35's built-in AHCI (SATA)
// controller, which needs no virtio transport and so no IOMMU platform.
void add_seed(pugi::xml_node devices, const ValidatedRequest& request, const ResolvedImage& seed) {
    auto cdrom = add_disk_node(devices, seed, "cdrom");
    auto target = child(cdrom, "target");
    attr(target, "dev", request.disk_bus == DiskBus::Virtio ? "sda" : "sdb");
    attr(target, "bus", "sata");
    child(cdrom, "readonly");
}

// A virtio NIC on a libvirt network: iommu='on' like every virtio device, and
// no option ROM: the guest boots from its disk, and a NIC ROM would be code
// the launch measurement does not cover.
void add_network(pugi::xml_node devices, const std::string& network) {
    auto nic = child(devices, "interface");
    attr(nic, "type", "network");
    attr(child(nic, "source"), "network", network.c_str());
    attr(child(nic, "model"), "type", "virtio");
    iommu_driver(nic);
    attr(child(nic, "rom"), "enabled", "no");
}

void add_devices(pugi::xml_node domain, const ValidatedRequest& request, const ResolvedImage& image,
                 const std::optional<ResolvedImage>& seed) {
    auto devices = child(domain, "devices");
    add_disk(devices, request, image);
    if (seed)
        add_seed(devices, request, *seed);
    for (const auto& network : request.networks)
        add_network(devices, network);
    auto console = child(devices, "console");
    attr(console, "type", "pty");
    attr(child(console, "target"), "type", "serial");
    attr(child(devices, "memballoon"), "model", "none");
}

void add_launch_security(pugi::xml_node domain, const ValidatedRequest& request,
                         const HostSecurity& host) {
    // libvirt >= 10.5 takes type='sev-snp' with the same cbitpos and
    // reducedPhysBits and an SNP policy (formatdomain.html#launch-security).
    auto security = child(domain, "launchSecurity");
    attr(security, "type", request.model == EncryptionModel::SevSnp ? "sev-snp" : "sev");
    text(child(security, "cbitpos"), std::to_string(host.cbitpos));
    text(child(security, "reducedPhysBits"), std::to_string(host.reduced_phys_bits));
    text(child(security, "policy"), hex_policy(policy_for(request.model)));
    // The owner's blobs go to LAUNCH_START: only the owner can then verify
    // the measurement and wrap a secret for this launch.
    if (request.attestation) {
        text(child(security, "dhCert"), request.attestation->dh_cert);
        text(child(security, "session"), request.attestation->session);
    }
}

} // namespace

std::string build_domain_xml(const ValidatedRequest& request, const ResolvedImage& disk,
                             const HostSecurity& host, const std::optional<ResolvedImage>& seed) {
    pugi::xml_document doc;
    auto domain = doc.append_child("domain");
    attr(domain, "type", kDomainType);
    add_identity(domain, request);
    add_memory(domain, request);
    add_os(domain, request);
    add_cpu(domain, request);
    attr(child(domain, "clock"), "offset", "utc");
    add_devices(domain, request, disk, seed);
    add_launch_security(domain, request, host);
    std::ostringstream out;
    doc.save(out, "  ", pugi::format_indent | pugi::format_no_declaration);
    return out.str();
}

} // namespace sevd::launcher
