// The libvirt domain XML for an encrypted guest, built node by node with
// pugixml so every user-supplied value is escaped. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "launcher/launch_request.h"
#include "probe/domain_mark.h"

namespace sevd::launcher {

// C-bit position and physical address bit reduction the guest must use.
struct HostSecurity {
    unsigned cbitpos = 0;
    unsigned reduced_phys_bits = 0;
};

// XML namespace and element of the <metadata> mark (probe/domain_mark.h).
using probe::kSevdMetadataElement;
using probe::kSevdMetadataNamespace;

// q35 + UEFI (firmware autoselection: libvirt picks an OVMF build whose
// descriptor lists amd-sev / amd-sev-es), <memoryBacking><locked/> (+
// hugepages), iommu='on' on every virtio device, no balloon (locked memory
// cannot be ballooned), <launchSecurity type='sev'> with the host's
// cbitpos/reducedPhysBits and policy 0x0033 (SEV) or 0x0037 (SEV-ES).
// Each file of the disk's chain is stated with its format (<backingStore>,
// ending in an empty one) and arrives as its fd group; each sevd:network is a
// virtio NIC with iommu='on' and no option ROM; a seed is a read-only SATA
// CD-ROM. A launch for attestation adds the owner's <dhCert> and <session>.
std::string build_domain_xml(const ValidatedRequest& request, const ResolvedImage& disk,
                             const HostSecurity& host,
                             const std::optional<ResolvedImage>& seed = std::nullopt);

} // namespace sevd::launcher
