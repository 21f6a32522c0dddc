// The domain XML: structure of an encrypted guest, escaping of every value,
// and validity against libvirt's own schema (virt-xml-validate).
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include <gtest/gtest.h>
#include <pugixml.hpp>

#include "launcher/domain_xml.h"

namespace sevd::launcher {
namespace {

// Rome host: C-bit 47; QEMU's reducedPhysBits 1 (facts/real-hosts.md).
constexpr HostSecurity kRome{47, 1};

ValidatedRequest request(EncryptionModel model = EncryptionModel::Sev) {
    ValidatedRequest r;
    r.name = "web-1";
    r.memory_mib = 2048;
    r.vcpus = 2;
    r.disk = "/images/web-1.qcow2";
    r.model = model;
    r.machine_type = "q35";
    return r;
}

const ResolvedImage kImage{
    {{"/images/web-1.qcow2", ImageKind::File, ImageFormat::Qcow2, "disk-0"}}};

pugi::xml_document parse(const std::string& xml) {
    pugi::xml_document doc;
    EXPECT_TRUE(doc.load_string(xml.c_str())) << xml;
    return doc;
}

std::string node_text(const pugi::xml_document& doc, const char* xpath) {
    return doc.select_node(xpath).node().text().as_string();
}

std::string attr_of(const pugi::xml_document& doc, const char* xpath) {
    return doc.select_node(xpath).attribute().value();
}

// Runs libvirt's schema check on the XML; true when it validates.
bool schema_valid(const std::string& xml) {
    const auto path = std::filesystem::temp_directory_path() /
                      ("sevd-domain-" + std::to_string(getpid()) + ".xml");
    std::ofstream(path) << xml;
    const auto command = "virt-xml-validate '" + path.string() + "' domain >/dev/null 2>&1";
    const int status = std::system(command.c_str());
    std::filesystem::remove(path);
    return status == 0;
}

TEST(DomainXml, SevGuestHasEveryRequiredElement) {
    const auto doc = parse(build_domain_xml(request(), kImage, kRome));
    EXPECT_EQ(attr_of(doc, "/domain/@type"), "kvm");
    EXPECT_EQ(node_text(doc, "/domain/name"), "web-1");
    EXPECT_EQ(node_text(doc, "/domain/memory"), "2048");
    EXPECT_EQ(attr_of(doc, "/domain/memory/@unit"), "MiB");
    EXPECT_EQ(node_text(doc, "/domain/vcpu"), "2");
    EXPECT_EQ(attr_of(doc, "/domain/os/@firmware"), "efi");
    EXPECT_EQ(attr_of(doc, "/domain/os/type/@machine"), "q35");
    EXPECT_TRUE(doc.select_node("/domain/memoryBacking/locked"));
    EXPECT_FALSE(doc.select_node("/domain/memoryBacking/hugepages"));
    EXPECT_EQ(attr_of(doc, "/domain/launchSecurity/@type"), "sev");
    EXPECT_EQ(node_text(doc, "/domain/launchSecurity/cbitpos"), "47");
    EXPECT_EQ(node_text(doc, "/domain/launchSecurity/reducedPhysBits"), "1");
    EXPECT_EQ(node_text(doc, "/domain/launchSecurity/policy"), "0x0033");
    EXPECT_EQ(attr_of(doc, "/domain/devices/disk/driver/@type"), "qcow2");
    EXPECT_EQ(attr_of(doc, "/domain/devices/disk/target/@bus"), "virtio");
    EXPECT_EQ(attr_of(doc, "/domain/devices/memballoon/@model"), "none");
}

TEST(DomainXml, SevEsGuestAddsTheEsPolicyBit) {
    const auto doc = parse(build_domain_xml(request(EncryptionModel::SevEs), kImage, kRome));
    EXPECT_EQ(node_text(doc, "/domain/launchSecurity/policy"), "0x0037");
}

// libvirt >= 10.5 (formatdomain "Launch Security"): type 'sev-snp' with the
// host's cbitpos / reducedPhysBits and an SNP policy; Nova's default policy
// 0x00030000 = SMT allowed (bit 16) | reserved-must-be-one (bit 17). This
// machine's libvirt schema (9.0) predates sev-snp, so no schema check here.
TEST(DomainXml, SevSnpGuestUsesTheSnpLaunchSecurity) {
    const auto doc = parse(build_domain_xml(request(EncryptionModel::SevSnp), kImage, kRome));
    EXPECT_EQ(attr_of(doc, "/domain/launchSecurity/@type"), "sev-snp");
    EXPECT_EQ(node_text(doc, "/domain/launchSecurity/cbitpos"), "47");
    EXPECT_EQ(node_text(doc, "/domain/launchSecurity/reducedPhysBits"), "1");
    EXPECT_EQ(node_text(doc, "/domain/launchSecurity/policy"), "0x00030000");
    EXPECT_EQ(attr_of(doc, "/domain/memoryBacking/source/@type"), "memfd");
    EXPECT_TRUE(doc.select_node("/domain/memoryBacking/locked"));
    EXPECT_EQ(attr_of(doc, "/domain/os/@firmware"), "efi");
}

TEST(DomainXml, EveryVirtioDeviceHasIommuOn) {
    for (auto bus : {DiskBus::Virtio, DiskBus::Scsi, DiskBus::Sata}) {
        auto r = request();
        r.disk_bus = bus;
        const auto doc = parse(build_domain_xml(r, kImage, kRome));
        int virtio_devices = 0;
        for (auto device : doc.child("domain").child("devices").children()) {
            const std::string model = device.attribute("model").as_string();
            const std::string bus_name = device.child("target").attribute("bus").as_string();
            if (model.find("virtio") == std::string::npos && bus_name != "virtio")
                continue;
            ++virtio_devices;
            EXPECT_STREQ(device.child("driver").attribute("iommu").as_string(), "on")
                << device.name();
        }
        // virtio: the disk; scsi: the virtio-scsi controller; sata: none.
        EXPECT_EQ(virtio_devices, bus == DiskBus::Sata ? 0 : 1);
    }
}

TEST(DomainXml, ScsiAndSataDisks) {
    auto r = request();
    r.disk_bus = DiskBus::Scsi;
    auto doc = parse(build_domain_xml(r, kImage, kRome));
    EXPECT_EQ(attr_of(doc, "/domain/devices/controller/@model"), "virtio-scsi");
    EXPECT_EQ(attr_of(doc, "/domain/devices/disk/target/@bus"), "scsi");
    r.disk_bus = DiskBus::Sata;
    doc = parse(build_domain_xml(r, kImage, kRome));
    EXPECT_EQ(attr_of(doc, "/domain/devices/disk/target/@bus"), "sata");
}

TEST(DomainXml, BlockDeviceUsesSourceDev) {
    const ResolvedImage block{{{"/dev/vg0/web-1", ImageKind::Block, ImageFormat::Raw, ""}}};
    const auto doc = parse(build_domain_xml(request(), block, kRome));
    EXPECT_EQ(attr_of(doc, "/domain/devices/disk/@type"), "block");
    EXPECT_EQ(attr_of(doc, "/domain/devices/disk/source/@dev"), "/dev/vg0/web-1");
    EXPECT_EQ(attr_of(doc, "/domain/devices/disk/driver/@type"), "raw");
}

TEST(DomainXml, HugepagesWhenALargePageSizeIsAsked) {
    auto r = request();
    r.page_size = {true, 2048};
    auto doc = parse(build_domain_xml(r, kImage, kRome));
    EXPECT_EQ(attr_of(doc, "/domain/memoryBacking/hugepages/page/@size"), "2048");
    EXPECT_TRUE(doc.select_node("/domain/memoryBacking/locked"));
    r.page_size = {true, 0};
    doc = parse(build_domain_xml(r, kImage, kRome));
    EXPECT_TRUE(doc.select_node("/domain/memoryBacking/hugepages"));
    EXPECT_FALSE(doc.select_node("/domain/memoryBacking/hugepages/page"));
}

TEST(DomainXml, NumaCellsSplitVcpusAndMemory) {
    auto r = request();
    r.vcpus = 5;
    r.numa_nodes = 2; // 5 vCPUs: 3 + 2; 2048 MiB: 1024 + 1024
    const auto doc = parse(build_domain_xml(r, kImage, kRome));
    const auto cells = doc.select_nodes("/domain/cpu/numa/cell");
    ASSERT_EQ(cells.size(), 2u);
    EXPECT_STREQ(cells[0].node().attribute("cpus").value(), "0-2");
    EXPECT_STREQ(cells[1].node().attribute("cpus").value(), "3-4");
    EXPECT_STREQ(cells[0].node().attribute("memory").value(), "1024");
    EXPECT_STREQ(cells[1].node().attribute("memory").value(), "1024");
}

TEST(DomainXml, TrickyDiskPathIsEscapedAndRoundTrips) {
    const std::string tricky = "/images/a'b\"c&d<e>f]]>.img";
    const ResolvedImage image{{{tricky, ImageKind::File, ImageFormat::Raw, "disk-0"}}};
    const auto xml = build_domain_xml(request(), image, kRome);
    EXPECT_EQ(xml.find("a'b\"c&d<e>"), std::string::npos) << xml;
    const auto doc = parse(xml);
    EXPECT_EQ(attr_of(doc, "/domain/devices/disk/source/@file"), tricky);
    EXPECT_TRUE(schema_valid(xml)) << xml;
}

TEST(DomainXml, ValidAgainstLibvirtsSchemaForEveryShape) {
    for (auto model : {EncryptionModel::Sev, EncryptionModel::SevEs}) {
        for (auto bus : {DiskBus::Virtio, DiskBus::Scsi, DiskBus::Sata}) {
            auto r = request(model);
            r.disk_bus = bus;
            r.vcpus = 4;
            r.numa_nodes = 2;
            r.page_size = {true, 2048};
            r.machine_type = "pc-q35-7.2";
            const auto xml = build_domain_xml(r, kImage, kRome);
            EXPECT_TRUE(schema_valid(xml)) << xml;
        }
    }
    EXPECT_TRUE(schema_valid(build_domain_xml(request(), kImage, kRome)));
}

TEST(DomainXml, AttestationAddsTheOwnersBlobsAndMarksTheGuest) {
    auto r = request(EncryptionModel::SevEs);
    r.attestation = AttestationSession{"R09ESA==", "U0VTU0lPTg=="};
    const auto xml = build_domain_xml(r, kImage, kRome);
    const auto doc = parse(xml);
    EXPECT_EQ(node_text(doc, "/domain/launchSecurity/dhCert"), "R09ESA==");
    EXPECT_EQ(node_text(doc, "/domain/launchSecurity/session"), "U0VTU0lPTg==");
    EXPECT_EQ(node_text(doc, "/domain/launchSecurity/policy"), "0x0037");
    EXPECT_EQ(attr_of(doc, "/domain/metadata/*/@attestation"), "pending");
    EXPECT_TRUE(schema_valid(xml)) << xml;
    const auto plain = parse(build_domain_xml(request(), kImage, kRome));
    EXPECT_FALSE(plain.select_node("/domain/launchSecurity/dhCert"));
    EXPECT_FALSE(plain.select_node("/domain/launchSecurity/session"));
}

} // namespace
} // namespace sevd::launcher
