// The property keys a launch request may carry: flavor extra specs ("hw:")
// and image properties ("hw_"), as operators already write them, plus the
// scheduler traits. Parsing helpers shared by the validator.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sevd::launcher::vocabulary {

inline constexpr std::string_view kFlavorEncryption = "hw:mem_encryption";
inline constexpr std::string_view kImageEncryption = "hw_mem_encryption";
inline constexpr std::string_view kFlavorModel = "hw:mem_encryption_model";
inline constexpr std::string_view kImageModel = "hw_mem_encryption_model";
inline constexpr std::string_view kFirmwareType = "hw_firmware_type";
inline constexpr std::string_view kMachineType = "hw_machine_type";
inline constexpr std::string_view kDiskBus = "hw_disk_bus";
inline constexpr std::string_view kScsiModel = "hw_scsi_model";
inline constexpr std::string_view kFlavorPageSize = "hw:mem_page_size";
inline constexpr std::string_view kImagePageSize = "hw_mem_page_size";
inline constexpr std::string_view kNumaNodes = "hw:numa_nodes";
inline constexpr std::string_view kTraitSev = "trait:HW_CPU_X86_AMD_SEV";
inline constexpr std::string_view kTraitSevEs = "trait:HW_CPU_X86_AMD_SEV_ES";
inline constexpr std::string_view kTraitSevSnp = "trait:HW_CPU_X86_AMD_SEV_SNP";
inline constexpr std::string_view kPciPassthrough = "pci_passthrough:alias";
// Instance options (not flavor or image properties).
inline constexpr std::string_view kDiskFormat = "disk_format";
inline constexpr std::string_view kNetwork = "sevd:network";
inline constexpr std::string_view kSeed = "sevd:seed";
// Launch options for attestation (attestation_rules.h).
inline constexpr std::string_view kAttestation = "sevd:attestation";
inline constexpr std::string_view kDhCert = "sevd:dh_cert";
inline constexpr std::string_view kSession = "sevd:session";

// Every accepted key, in the order error messages list them.
const std::vector<std::string_view>& accepted_keys();
bool is_accepted_key(std::string_view key);
// "hw:mem_encryption, hw_mem_encryption, ..." for error messages.
std::string accepted_keys_text();

// Cloud-tool boolean: "1 t true on y yes" in any case are true, anything else false.
bool parse_bool(std::string_view value);

std::string to_lower(std::string_view text);

} // namespace sevd::launcher::vocabulary
