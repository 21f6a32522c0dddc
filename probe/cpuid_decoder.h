// Decoders for the CPUID leaves sevd reads (pure, no I/O): 0x0 vendor,
// 0x1 hypervisor bit, 0x80000000 max extended leaf, 0x80000002-4 brand string,
// 0x8000001F memory encryption. Live and snapshot input share one path: both
// become a CpuidDump (the `cpuid -r -1` text format, one CPU), which is decoded.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "probe/host_report.h"

namespace sevd::probe {

namespace cpuid {
inline constexpr uint32_t kVendorLeaf = 0x0;
inline constexpr uint32_t kFeatureLeaf = 0x1;
inline constexpr uint32_t kMaxExtendedLeaf = 0x80000000;
inline constexpr uint32_t kBrandLeafFirst = 0x80000002;
inline constexpr uint32_t kBrandLeafLast = 0x80000004;
inline constexpr uint32_t kMemEncryptionLeaf = 0x8000001F;

inline constexpr uint32_t kHypervisorBit = 1u << 31; // leaf 1 ECX
// Leaf 0x8000001F EAX
inline constexpr uint32_t kSmeBit = 1u << 0;
inline constexpr uint32_t kSevBit = 1u << 1;
inline constexpr uint32_t kPageFlushMsrBit = 1u << 2;
inline constexpr uint32_t kSevEsBit = 1u << 3;
inline constexpr uint32_t kSevSnpBit = 1u << 4;
inline constexpr uint32_t kVmplBit = 1u << 5;
// Leaf 0x8000001F EBX fields: [5:0] C-bit, [11:6] reduction, [15:12] VMPLs
inline constexpr unsigned kCbitShift = 0, kCbitBits = 6;
inline constexpr unsigned kReductionShift = 6, kReductionBits = 6;
inline constexpr unsigned kVmplsShift = 12, kVmplsBits = 4;

inline constexpr std::string_view kAmdVendor = "AuthenticAMD";
} // namespace cpuid

struct CpuidRegs {
    uint32_t eax = 0, ebx = 0, ecx = 0, edx = 0;
    bool operator==(const CpuidRegs&) const = default;
};

// (leaf, subleaf) -> registers, for one CPU.
using CpuidDump = std::map<std::pair<uint32_t, uint32_t>, CpuidRegs>;

struct CpuidParse {
    CpuidDump dump;
    std::string error; // empty on success; otherwise names the line that was wrong
};

// Parses `cpuid -r -1` output ("   0x8000001f 0x00: eax=0x... ebx=0x... ecx=0x... edx=0x...").
// Header lines ("CPU:", "CPU 0:") are skipped; only the first CPU is read. Any
// other non-empty line is an error that names the line number.
CpuidParse parse_cpuid_dump(std::string_view text);

// Writes a dump back in the `cpuid -r -1` format (what `sevd capture` stores).
std::string format_cpuid_dump(const CpuidDump& dump);

struct CpuidDecode {
    CpuReport cpu;
    std::string error; // empty on success; a required leaf missing from the dump
};

// Decodes the leaves above. Leaf 0x8000001F is ignored (leaf_present=false,
// all its fields zero) when the max extended leaf is below it. Errors: leaf 0
// missing, or leaf 0x8000001F announced by the max extended leaf but absent.
CpuidDecode decode_cpuid(const CpuidDump& dump);

// ASID pools as the kernel derives them from leaf 0x8000001F.
//   plain SEV: ASIDs max(EDX,1)..ECX  -> ECX - max(EDX,1) + 1 when that range is not empty
//   SEV-ES/SNP: ASIDs 1..EDX-1        -> EDX - 1 (capped at ECX)
// Each is 0 when the CPU lacks the matching SEV / SEV-ES bit.
uint32_t sev_asid_count(const CpuReport& cpu);
uint32_t sev_es_asid_count(const CpuReport& cpu);

} // namespace sevd::probe
