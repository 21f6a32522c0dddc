#include "probe/cpuid_live.h"

#include <algorithm>
#include <cpuid.h>

namespace sevd::probe {
namespace {

// A garbage maximum (seen in broken hypervisors) must not make capture loop
// over billions of leaves.
constexpr uint32_t kMaxBasicLeaves = 0x100;
constexpr uint32_t kMaxExtendedLeaves = 0x100;

CpuidRegs query(uint32_t leaf) {
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    __cpuid_count(leaf, 0, eax, ebx, ecx, edx);
    return CpuidRegs{eax, ebx, ecx, edx};
}

void add(CpuidDump& dump, uint32_t leaf) {
    dump[{leaf, 0}] = query(leaf);
}

} // namespace

CpuidDump read_probe_leaves() {
    CpuidDump dump;
    add(dump, cpuid::kVendorLeaf);
    add(dump, cpuid::kFeatureLeaf);
    add(dump, cpuid::kMaxExtendedLeaf);
    const uint32_t max_ext = dump[{cpuid::kMaxExtendedLeaf, 0}].eax;
    for (uint32_t leaf = cpuid::kBrandLeafFirst; leaf <= cpuid::kBrandLeafLast; ++leaf)
        if (leaf <= max_ext)
            add(dump, leaf);
    if (cpuid::kMemEncryptionLeaf <= max_ext)
        add(dump, cpuid::kMemEncryptionLeaf);
    return dump;
}

CpuidDump read_all_leaves() {
    CpuidDump dump;
    const uint32_t max_basic = std::min(query(cpuid::kVendorLeaf).eax, kMaxBasicLeaves);
    for (uint32_t leaf = 0; leaf <= max_basic; ++leaf)
        add(dump, leaf);
    const uint32_t max_ext = query(cpuid::kMaxExtendedLeaf).eax;
    if (max_ext < cpuid::kMaxExtendedLeaf)
        return dump;
    const uint32_t last = std::min(max_ext, cpuid::kMaxExtendedLeaf + kMaxExtendedLeaves);
    for (uint32_t leaf = cpuid::kMaxExtendedLeaf; leaf <= last; ++leaf)
        add(dump, leaf);
    return dump;
}

} // namespace sevd::probe
