// A launch request as a D-Bus client sends it, and the checked form the rest
// of the launcher works from. Plain values only.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "probe/encryption_model.h"

namespace sevd::launcher {

struct LaunchRequest {
    std::string name;
    uint64_t memory_mib = 0;
    uint32_t vcpus = 0;
    std::string disk;                              // path of the boot disk image
    std::map<std::string, std::string> properties; // flavor extra specs + image properties
};

enum class DiskBus { Virtio, Scsi, Sata };
enum class ImageKind { File, Block };
enum class ImageFormat { Raw, Qcow2 };

// Page size backing guest RAM. Small = the host's normal 4 KiB pages.
struct PageSize {
    bool huge = false;
    uint64_t size_kib = 0; // 0 with huge: the host's default huge page size
    bool operator==(const PageSize&) const = default;
};

// A launch for attestation: the guest owner's GODH certificate and launch
// session blob, base64 as given (validated by attestation_rules.h). The
// guest is defined with them and started paused.
struct AttestationSession {
    std::string dh_cert;
    std::string session;
    bool operator==(const AttestationSession&) const = default;
};

// Everything validate_request() accepted, normalised. The disk path is the
// one given; ResolvedImage carries the canonical one.
struct ValidatedRequest {
    std::string name;
    uint64_t memory_mib = 0;
    uint32_t vcpus = 0;
    std::string disk;
    EncryptionModel model = EncryptionModel::Sev;
    std::string machine_type; // "q35" or "pc-q35-X.Y"
    DiskBus disk_bus = DiskBus::Virtio;
    PageSize page_size;
    uint32_t numa_nodes = 0;                    // 0: no NUMA topology asked
    ImageFormat disk_format = ImageFormat::Raw; // disk_format: stated, never guessed
    std::vector<std::string> networks;          // sevd:network, each allowed by the config
    std::string seed;                           // sevd:seed; empty: none
    std::optional<AttestationSession> attestation;
};

// One file of an image's chain, as libvirt is told about it.
struct ImageLayer {
    std::string path; // canonical, symlinks resolved
    ImageKind kind = ImageKind::File;
    ImageFormat format = ImageFormat::Raw;
    // libvirt opens nothing itself: the file arrives as this descriptor group
    // (virDomainFDAssociate). Empty for block devices, which libvirt 9.0 can
    // only name by path.
    std::string fd_group;
    bool operator==(const ImageLayer&) const = default;
};

// An image after resolution inside the image directories: chain[0] is the
// image itself, each next entry the backing file of the one before.
struct ResolvedImage {
    std::vector<ImageLayer> chain;
    bool operator==(const ResolvedImage&) const = default;
};

struct GuestInfo {
    std::string name;
    std::string uuid;
    EncryptionModel model = EncryptionModel::Sev;
    uint64_t memory_mib = 0;
    bool operator==(const GuestInfo&) const = default;
};

// A guest sevd defined, running or powered off (Launcher1.AllGuests).
struct DefinedGuest {
    GuestInfo info;
    bool running = false;
    bool operator==(const DefinedGuest&) const = default;
};

} // namespace sevd::launcher
