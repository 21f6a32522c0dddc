// Fuzzes the /proc/meminfo decoder (DIR/proc/meminfo; also what cgroups/
// computes the machine.slice limit from). Properties: never crash; a decoded
// size is a whole number of KiB (the file says kB); MemTotal alone is what
// parse_meminfo_total_bytes returns; the report built with it prints.
#include <cstdint>

#include "probe/meminfo_decoder.h"
#include "tests/fuzz/probe/report_property.h"

using namespace sevd;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const auto text = fuzz::as_text(data, size);
    const auto info = probe::decode_meminfo(text);
    fuzz::check(!info.total_bytes || *info.total_bytes % 1024 == 0, "MemTotal is whole KiB");
    fuzz::check(!info.available_bytes || *info.available_bytes % 1024 == 0,
                "MemAvailable is whole KiB");
    fuzz::check(probe::parse_meminfo_total_bytes(text) == info.total_bytes,
                "parse_meminfo_total_bytes agrees with decode_meminfo");

    auto facts = fuzz::baseline_facts();
    if (info.total_bytes)
        facts.mem_total_bytes = {info.total_bytes, {}};
    else
        facts.mem_total_bytes = {
            std::nullopt,
            fuzz::reader_error(probe::snapshot::kMeminfo, "no valid 'MemTotal: N kB' line")};
    fuzz::check_report_prints(facts, std::nullopt);
    return 0;
}
