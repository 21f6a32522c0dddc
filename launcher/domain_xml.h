// The libvirt domain XML for an encrypted guest, built node by node with
// pugixml so every user-supplied value is escaped. Pure.
#pragma once

#include <string>
#include <string_view>

#include "launcher/launch_request.h"

namespace sevd::launcher {

// C-bit position and physical address bit reduction the guest must use.
struct HostSecurity {
    unsigned cbitpos = 0;
    unsigned reduced_phys_bits = 0;
};

// XML namespace of the <metadata> element that marks a domain as sevd's.
inline constexpr std::string_view kSevdMetadataNamespace = "urn:sevd:guest:1";
inline constexpr std::string_view kSevdMetadataElement = "sevd:guest";

// q35 + UEFI (firmware autoselection: libvirt picks an OVMF build whose
// descriptor lists amd-sev / amd-sev-es), <memoryBacking><locked/> (+
// hugepages), iommu='on' on every virtio device, no balloon (locked memory
// cannot be ballooned), <launchSecurity type='sev'> with the host's
// cbitpos/reducedPhysBits and policy 0x0033 (SEV) or 0x0037 (SEV-ES), plus
// the owner's <dhCert> and <session> for a launch for attestation.
std::string build_domain_xml(const ValidatedRequest& request, const ResolvedImage& disk,
                             const HostSecurity& host);

} // namespace sevd::launcher
