// Checks a LaunchRequest against every rule of DESIGN.md "Launch requests"
// and returns its normalised form. Pure: the host's abilities come in as
// plain values; the disk path is only checked for shape here (see
// image_resolver.h for where it points).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "launcher/launch_request.h"
#include "launcher/model_support.h"

namespace sevd::launcher {

// Limits, documented in README "Launch rules".
inline constexpr uint64_t kMinMemoryMib = 256;                 // OVMF + a kernel need this much
inline constexpr uint64_t kMaxMemoryMib = 16ull * 1024 * 1024; // 16 TiB
inline constexpr uint32_t kMinVcpus = 1;
inline constexpr uint32_t kMaxVcpus = 512;
inline constexpr size_t kMaxNameLength = 64;
inline constexpr size_t kMaxDiskPathLength = 4095; // PATH_MAX - 1
inline constexpr size_t kMaxPropertyValueLength = 255;

struct ValidationContext {
    std::string default_machine_type = "q35"; // sevd.conf [libvirt] machine_type
    ModelSupport sev{true, {}};
    ModelSupport sev_es{true, {}};
    ModelSupport sev_snp{true, {}};
    std::vector<std::string> networks; // sevd.conf [guests] networks

    const ModelSupport& support(EncryptionModel m) const {
        switch (m) {
        case EncryptionModel::Sev:
            return sev;
        case EncryptionModel::SevEs:
            return sev_es;
        case EncryptionModel::SevSnp:
            return sev_snp;
        }
        return sev;
    }
};

// Throws LaunchError (InvalidArgument, Conflict or Unsupported) naming the key,
// the value and what to change.
ValidatedRequest validate_request(const LaunchRequest& request, const ValidationContext& context);

// The name rule alone ([A-Za-z0-9][A-Za-z0-9._-]{0,63}); also used by stop().
bool is_valid_guest_name(const std::string& name);

} // namespace sevd::launcher
