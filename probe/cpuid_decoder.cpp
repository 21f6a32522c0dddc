#include "probe/cpuid_decoder.h"

#include <algorithm>
#include <cstdio>

#include "common/text.h"

namespace sevd::probe {
namespace {

constexpr uint32_t field(uint32_t reg, unsigned shift, unsigned bits) {
    return (reg >> shift) & ((1u << bits) - 1u);
}

// Four little-endian ASCII bytes of a register, as CPUID packs strings.
void append_register_chars(std::string& out, uint32_t reg) {
    for (unsigned byte = 0; byte < 4; ++byte)
        out.push_back(static_cast<char>((reg >> (8 * byte)) & 0xFFu));
}

// CPUID strings are NUL-padded bytes; anything unprintable is replaced so the
// report stays valid text whatever a (virtual) CPU returns.
std::string trim_brand(std::string brand) {
    brand.erase(std::find(brand.begin(), brand.end(), '\0'), brand.end());
    return printable_text(trim(brand));
}

// "eax=0x0001000f" -> value, when the key matches.
std::optional<uint32_t> register_value(std::string_view token, std::string_view key) {
    if (!token.starts_with(key) || token.size() <= key.size() || token[key.size()] != '=')
        return std::nullopt;
    return parse_hex_u32(token.substr(key.size() + 1));
}

// Splits on blanks into at most `max` tokens; returns how many were found.
size_t split_tokens(std::string_view line, std::string_view* out, size_t max) {
    size_t n = 0;
    while (true) {
        line = trim(line);
        if (line.empty())
            return n;
        if (n == max)
            return n + 1; // too many
        const auto end = line.find_first_of(" \t");
        out[n++] = line.substr(0, end);
        if (end == std::string_view::npos)
            return n;
        line.remove_prefix(end);
    }
}

bool parse_dump_line(std::string_view line, CpuidDump& dump) {
    std::string_view tok[6];
    if (split_tokens(line, tok, 6) != 6 || !tok[1].ends_with(':'))
        return false;
    const auto leaf = parse_hex_u32(tok[0]);
    const auto subleaf = parse_hex_u32(tok[1].substr(0, tok[1].size() - 1));
    const auto eax = register_value(tok[2], "eax");
    const auto ebx = register_value(tok[3], "ebx");
    const auto ecx = register_value(tok[4], "ecx");
    const auto edx = register_value(tok[5], "edx");
    if (!leaf || !subleaf || !eax || !ebx || !ecx || !edx)
        return false;
    dump[{*leaf, *subleaf}] = CpuidRegs{*eax, *ebx, *ecx, *edx};
    return true;
}

bool is_cpu_header(std::string_view line) {
    return line.starts_with("CPU") && line.ends_with(':');
}

const CpuidRegs* find_leaf(const CpuidDump& dump, uint32_t leaf) {
    const auto it = dump.find({leaf, 0});
    return it == dump.end() ? nullptr : &it->second;
}

std::string hex32(uint32_t v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08x", v);
    return buf;
}

} // namespace

CpuidParse parse_cpuid_dump(std::string_view text) {
    CpuidParse result;
    int line_no = 0;
    int headers = 0;
    bool stop = false;
    for_each_line(text, [&](std::string_view raw) {
        ++line_no;
        if (stop || !result.error.empty())
            return;
        const auto line = trim(raw);
        if (line.empty())
            return;
        if (is_cpu_header(line)) {
            stop = ++headers > 1; // only the first CPU
            return;
        }
        if (!parse_dump_line(line, result.dump))
            result.error = "line " + std::to_string(line_no) + " is not a `cpuid -r` line: '" +
                           std::string(line.substr(0, 80)) + "'";
    });
    if (result.error.empty() && result.dump.empty())
        result.error = "no CPUID leaves found";
    return result;
}

std::string format_cpuid_dump(const CpuidDump& dump) {
    std::string out = "CPU:\n";
    char line[128];
    for (const auto& [key, r] : dump) {
        std::snprintf(line, sizeof line,
                      "   0x%08x 0x%02x: eax=0x%08x ebx=0x%08x ecx=0x%08x edx=0x%08x\n", key.first,
                      key.second, r.eax, r.ebx, r.ecx, r.edx);
        out += line;
    }
    return out;
}

CpuidDecode decode_cpuid(const CpuidDump& dump) {
    CpuidDecode result;
    auto& cpu = result.cpu;
    const auto* vendor = find_leaf(dump, cpuid::kVendorLeaf);
    if (!vendor) {
        result.error = "leaf 0x00000000 (vendor) is missing";
        return result;
    }
    // The vendor string is EBX, EDX, ECX in that order.
    append_register_chars(cpu.vendor, vendor->ebx);
    append_register_chars(cpu.vendor, vendor->edx);
    append_register_chars(cpu.vendor, vendor->ecx);
    cpu.vendor = trim_brand(cpu.vendor);

    if (const auto* features = find_leaf(dump, cpuid::kFeatureLeaf))
        cpu.hypervisor = (features->ecx & cpuid::kHypervisorBit) != 0;

    const auto* max_ext = find_leaf(dump, cpuid::kMaxExtendedLeaf);
    cpu.max_extended_leaf = max_ext ? max_ext->eax : 0;

    std::string brand;
    for (uint32_t leaf = cpuid::kBrandLeafFirst; leaf <= cpuid::kBrandLeafLast; ++leaf) {
        const auto* regs = find_leaf(dump, leaf);
        if (!regs || cpu.max_extended_leaf < leaf)
            break;
        for (uint32_t reg : {regs->eax, regs->ebx, regs->ecx, regs->edx})
            append_register_chars(brand, reg);
    }
    cpu.brand = trim_brand(brand);

    if (cpu.max_extended_leaf < cpuid::kMemEncryptionLeaf)
        return result; // the leaf's contents are meaningless: ignore it
    const auto* mem = find_leaf(dump, cpuid::kMemEncryptionLeaf);
    if (!mem) {
        result.error = "max extended leaf is " + hex32(cpu.max_extended_leaf) +
                       " but leaf 0x8000001f is missing (truncated?)";
        return result;
    }
    cpu.leaf_present = true;
    cpu.sme = (mem->eax & cpuid::kSmeBit) != 0;
    cpu.sev = (mem->eax & cpuid::kSevBit) != 0;
    cpu.page_flush_msr = (mem->eax & cpuid::kPageFlushMsrBit) != 0;
    cpu.sev_es = (mem->eax & cpuid::kSevEsBit) != 0;
    cpu.sev_snp = (mem->eax & cpuid::kSevSnpBit) != 0;
    cpu.vmpl = (mem->eax & cpuid::kVmplBit) != 0;
    cpu.cbitpos = field(mem->ebx, cpuid::kCbitShift, cpuid::kCbitBits);
    cpu.reduced_phys_bits = field(mem->ebx, cpuid::kReductionShift, cpuid::kReductionBits);
    cpu.vmpls = field(mem->ebx, cpuid::kVmplsShift, cpuid::kVmplsBits);
    cpu.max_asid = mem->ecx;
    cpu.min_sev_asid = mem->edx;
    return result;
}

uint32_t sev_asid_count(const CpuReport& cpu) {
    if (!cpu.leaf_present || !cpu.sev)
        return 0;
    const uint32_t first = std::max<uint32_t>(cpu.min_sev_asid, 1); // ASID 0 is the host's
    return first <= cpu.max_asid ? cpu.max_asid - first + 1 : 0;
}

uint32_t sev_es_asid_count(const CpuReport& cpu) {
    if (!cpu.leaf_present || !cpu.sev_es || cpu.min_sev_asid == 0)
        return 0;
    return std::min(cpu.min_sev_asid - 1, cpu.max_asid);
}

} // namespace sevd::probe
