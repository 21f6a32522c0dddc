// Fuzzes the `cpuid -r -1` dump parser and the CPUID decoder (snapshot file
// DIR/cpuid). Properties: never crash; a dump that parses survives the
// capture round trip (format, parse again: same leaves); the ASID pools of
// a decoded CPU never overlap (plain SEV + SEV-ES <= highest ASID); the report
// built from it prints.
#include <cstdint>

#include "probe/cpuid_decoder.h"
#include "tests/fuzz/probe/report_property.h"

using namespace sevd;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto facts = fuzz::baseline_facts();
    const auto parsed = probe::parse_cpuid_dump(fuzz::as_text(data, size));
    if (!parsed.error.empty()) {
        facts.cpu = {std::nullopt, fuzz::reader_error(probe::snapshot::kCpuid, parsed.error)};
        fuzz::check_report_prints(facts, std::nullopt);
        return 0;
    }
    const auto again = probe::parse_cpuid_dump(probe::format_cpuid_dump(parsed.dump));
    fuzz::check(again.error.empty() && again.dump == parsed.dump,
                "format_cpuid_dump output parses back to the same leaves");

    const auto decoded = probe::decode_cpuid(parsed.dump);
    if (!decoded.error.empty()) {
        facts.cpu = {std::nullopt, fuzz::reader_error(probe::snapshot::kCpuid, decoded.error)};
        fuzz::check_report_prints(facts, std::nullopt);
        return 0;
    }
    const auto& cpu = decoded.cpu;
    const uint64_t sev = probe::sev_asid_count(cpu);
    const uint64_t sev_es = probe::sev_es_asid_count(cpu);
    fuzz::check(sev + sev_es <= cpu.max_asid, "SEV and SEV-ES ASID pools fit in 1..max_asid");
    fuzz::check(cpu.cbitpos < 64 && cpu.reduced_phys_bits < 64 && cpu.vmpls < 16,
                "CPUID bit fields stay within their widths");
    facts.cpu = {cpu, {}};
    fuzz::check_report_prints(facts, std::nullopt);
    return 0;
}
