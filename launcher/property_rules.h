// One parser per property rule of DESIGN.md "Launch requests". Each takes
// the raw value(s) and returns the normalised choice or throws LaunchError
// naming the key, the value and the accepted values. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "launcher/launch_request.h"
#include "probe/encryption_model.h"

namespace sevd::launcher::rules {

// A value as it reached us, with the key it came from (for messages).
struct Setting {
    std::string_view key;
    std::string_view value;
};

// Encryption: implied when unset; an explicit false is refused (InvalidArgument);
// flavor and image both set and disagreeing → Conflict.
void check_encryption(std::optional<Setting> flavor, std::optional<Setting> image);

// Trait requirement value: "required" or "forbidden".
enum class TraitRequirement { Required, Forbidden };
std::optional<TraitRequirement> parse_trait(std::optional<Setting> trait);

// Model from flavor, image and traits (see validator for the order of rules).
EncryptionModel choose_model(std::optional<Setting> flavor, std::optional<Setting> image,
                             std::optional<TraitRequirement> trait_sev,
                             std::optional<TraitRequirement> trait_sev_es,
                             std::optional<TraitRequirement> trait_sev_snp = std::nullopt);

// Firmware: "uefi" (default); "bios" and anything else refused.
void check_firmware(std::optional<Setting> firmware);

// Machine type: q35 or a versioned pc-q35-*; pc / i440fx refused naming q35.
std::string choose_machine_type(std::optional<Setting> machine, std::string_view default_type);
bool is_q35(std::string_view machine_type);

// Boot disk bus: virtio (default), scsi with hw_scsi_model=virtio-scsi, or sata.
DiskBus choose_disk_bus(std::optional<Setting> bus, std::optional<Setting> scsi_model);

// Page size: small | large | any (= small) | 4 | 2048 | 1048576 (KiB) or with a
// unit suffix (KB/MB/GB, KiB/MiB/GiB, K/M/G); flavor "any" lets the image choose.
PageSize choose_page_size(std::optional<Setting> flavor, std::optional<Setting> image);

// NUMA nodes: 1..kMaxNumaNodes, at most one per vCPU, memory split evenly.
inline constexpr uint32_t kMaxNumaNodes = 8;
uint32_t choose_numa_nodes(std::optional<Setting> nodes, uint32_t vcpus, uint64_t memory_mib);

// Guest RAM must be a whole number of pages in every NUMA cell.
void check_memory_fits_pages(const PageSize& page, uint64_t memory_mib, uint32_t numa_nodes);

} // namespace sevd::launcher::rules
