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

std::string hex_policy(uint32_t policy) {
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "0x%04x", policy);
    return buffer;
}

void add_identity(pugi::xml_node domain, const ValidatedRequest& request) {
    text(child(domain, "name"), request.name);
    auto metadata = child(domain, "metadata");
    auto mark = child(metadata, std::string(kSevdMetadataElement).c_str());
    attr(mark, "xmlns:sevd", std::string(kSevdMetadataNamespace).c_str());
    attr(mark, "model", std::string(model_name(request.model)).c_str());
    if (request.attestation)
        attr(mark, "attestation", "yes");
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

void add_disk(pugi::xml_node devices, const ValidatedRequest& request, const ResolvedImage& image) {
    if (request.disk_bus == DiskBus::Scsi) {
        auto controller = child(devices, "controller");
        attr(controller, "type", "scsi");
        attr(controller, "index", "0");
        attr(controller, "model", "virtio-scsi");
        iommu_driver(controller);
    }
    const bool block = image.kind == ImageKind::Block;
    auto disk = child(devices, "disk");
    attr(disk, "type", block ? "block" : "file");
    attr(disk, "device", "disk");
    auto driver = child(disk, "driver");
    attr(driver, "name", "qemu");
    attr(driver, "type", image.format == ImageFormat::Qcow2 ? "qcow2" : "raw");
    if (request.disk_bus == DiskBus::Virtio)
        attr(driver, "iommu", "on");
    attr(child(disk, "source"), block ? "dev" : "file", image.path.c_str());
    auto target = child(disk, "target");
    const bool virtio = request.disk_bus == DiskBus::Virtio;
    attr(target, "dev", virtio ? "vda" : "sda");
    attr(target, "bus", virtio ? "virtio" : request.disk_bus == DiskBus::Scsi ? "scsi" : "sata");
}

void add_devices(pugi::xml_node domain, const ValidatedRequest& request,
                 const ResolvedImage& image) {
    auto devices = child(domain, "devices");
    add_disk(devices, request, image);
    auto console = child(devices, "console");
    attr(console, "type", "pty");
    attr(child(console, "target"), "type", "serial");
    attr(child(devices, "memballoon"), "model", "none");
}

void add_launch_security(pugi::xml_node domain, const ValidatedRequest& request,
                         const HostSecurity& host) {
    auto security = child(domain, "launchSecurity");
    attr(security, "type", "sev");
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
                             const HostSecurity& host) {
    pugi::xml_document doc;
    auto domain = doc.append_child("domain");
    attr(domain, "type", kDomainType);
    add_identity(domain, request);
    add_memory(domain, request);
    add_os(domain, request);
    add_cpu(domain, request);
    attr(child(domain, "clock"), "offset", "utc");
    add_devices(domain, request, disk);
    add_launch_security(domain, request, host);
    std::ostringstream out;
    doc.save(out, "  ", pugi::format_indent | pugi::format_no_declaration);
    return out.str();
}

} // namespace sevd::launcher
