#include "probe/sev_firmware_error.h"

#include <array>
#include <cstdio>

namespace sevd::probe {
namespace {

// Index = code. From the SEV API and SEV-SNP firmware ABI specifications,
// spelled as the kernel's SEV_RET_* names (the kernel's typo INAVLID_CONFIG fixed).
constexpr std::array<std::string_view, 0x27> kNames = {
    "SUCCESS",                   // 0x00
    "INVALID_PLATFORM_STATE",    // 0x01
    "INVALID_GUEST_STATE",       // 0x02
    "INVALID_CONFIG",            // 0x03
    "INVALID_LEN",               // 0x04
    "ALREADY_OWNED",             // 0x05
    "INVALID_CERTIFICATE",       // 0x06
    "POLICY_FAILURE",            // 0x07
    "INACTIVE",                  // 0x08
    "INVALID_ADDRESS",           // 0x09
    "BAD_SIGNATURE",             // 0x0a
    "BAD_MEASUREMENT",           // 0x0b
    "ASID_OWNED",                // 0x0c
    "INVALID_ASID",              // 0x0d
    "WBINVD_REQUIRED",           // 0x0e
    "DFFLUSH_REQUIRED",          // 0x0f
    "INVALID_GUEST",             // 0x10
    "INVALID_COMMAND",           // 0x11
    "ACTIVE",                    // 0x12
    "HWSEV_RET_PLATFORM",        // 0x13
    "HWSEV_RET_UNSAFE",          // 0x14
    "UNSUPPORTED",               // 0x15
    "INVALID_PARAM",             // 0x16
    "RESOURCE_LIMIT",            // 0x17
    "SECURE_DATA_INVALID",       // 0x18
    "INVALID_PAGE_SIZE",         // 0x19
    "INVALID_PAGE_STATE",        // 0x1a
    "INVALID_MDATA_ENTRY",       // 0x1b
    "INVALID_PAGE_OWNER",        // 0x1c
    "AEAD_OFLOW",                // 0x1d
    "UNKNOWN",                   // 0x1e (unassigned)
    "RMP_INIT_REQUIRED",         // 0x1f
    "BAD_SVN",                   // 0x20
    "BAD_VERSION",               // 0x21
    "SHUTDOWN_REQUIRED",         // 0x22
    "UPDATE_FAILED",             // 0x23
    "RESTORE_REQUIRED",          // 0x24
    "RMP_INITIALIZATION_FAILED", // 0x25
    "INVALID_KEY",               // 0x26
};

std::string_view meaning(uint32_t code) {
    switch (code) {
    case 0x01:
        return "the command is not allowed in the platform's current state";
    case 0x03:
        return "the platform configuration is invalid";
    case 0x0E:
        return "the firmware needs a WBINVD on all cores before this command";
    case 0x13:
        return "hardware/platform error: usually SEV disabled in the BIOS or firmware that "
               "needs an update";
    default:
        return {};
    }
}

} // namespace

std::string_view sev_firmware_error_name(uint32_t code) {
    return code < kNames.size() ? kNames[code] : std::string_view("UNKNOWN");
}

std::string describe_sev_firmware_error(uint32_t code) {
    char hex[16];
    std::snprintf(hex, sizeof hex, "0x%02x", code);
    std::string text = std::string(hex) + " " + std::string(sev_firmware_error_name(code));
    if (const auto m = meaning(code); !m.empty())
        text += " (" + std::string(m) + ")";
    return text;
}

} // namespace sevd::probe
