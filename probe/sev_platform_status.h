// Decoders for the PSP firmware's status replies (pure, no I/O):
// SEV_PLATFORM_STATUS (12 packed bytes) and SNP_PLATFORM_STATUS (32 packed
// bytes), both little-endian as the kernel copies them to user space.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "probe/host_report.h"

namespace sevd::probe {

namespace sev {
inline constexpr size_t kPlatformStatusSize = 12;
inline constexpr size_t kSnpPlatformStatusSize = 32;
inline constexpr uint32_t kFlagOwnerExternal = 1u << 0;   // platform owned externally
inline constexpr uint32_t kFlagEsInitialized = 1u << 8;   // SEV-ES initialized
inline constexpr uint8_t kSnpRmpInitializedBit = 1u << 0; // byte 3 of the SNP reply
} // namespace sev

struct SevPlatformStatus {
    uint8_t api_major = 0;
    uint8_t api_minor = 0;
    uint8_t state = 0; // 0 uninit, 1 init, 2 working
    uint32_t flags = 0;
    uint8_t build = 0;
    uint32_t guest_count = 0;
    bool operator==(const SevPlatformStatus&) const = default;
};

struct SnpPlatformStatus {
    uint8_t api_major = 0;
    uint8_t api_minor = 0;
    uint8_t state = 0; // 0 uninit, 1 init
    bool rmp_initialized = false;
    uint32_t build = 0;
    uint32_t feature_mask = 0; // mask_chip_id, mask_chip_key, vlek_en
    uint32_t guest_count = 0;
    uint64_t current_tcb = 0;
    uint64_t reported_tcb = 0;
    bool operator==(const SnpPlatformStatus&) const = default;
};

// nullopt when the reply is not exactly the documented size.
std::optional<SevPlatformStatus> decode_sev_platform_status(std::span<const uint8_t> reply);
std::optional<SnpPlatformStatus> decode_snp_platform_status(std::span<const uint8_t> reply);

// 0/1/2 -> Uninit/Init/Working; other values are not a known state.
std::optional<FirmwareState> firmware_state_from_raw(uint8_t raw);

} // namespace sevd::probe
