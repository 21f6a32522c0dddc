// Fuzzes the misc cgroup decoder (DIR/sys/fs/cgroup/misc.capacity and
// misc.current). Properties: never crash; a file that decodes decodes the
// same after its "sev" and "sev_es" lines are written back alone (unknown
// resources do not change the counts); the report built with the value as
// capacity and as current prints.
#include <cstdint>
#include <string>

#include "probe/misc_cgroup_decoder.h"
#include "tests/fuzz/probe/report_property.h"

using namespace sevd;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const auto parsed = probe::decode_misc_counts(fuzz::as_text(data, size));
    fuzz::check(parsed.counts.has_value() == parsed.error.empty(),
                "a misc file either decodes or names its error");
    probe::Source<probe::MiscCounts> source;
    if (parsed.counts) {
        const auto canonical = "sev " + std::to_string(parsed.counts->sev) + "\nsev_es " +
                               std::to_string(parsed.counts->sev_es) + "\n";
        const auto again = probe::decode_misc_counts(canonical);
        fuzz::check(again.counts == parsed.counts, "counts survive being written back");
        source.value = parsed.counts;
    } else {
        source.error = fuzz::reader_error("sys/fs/cgroup/misc.capacity", parsed.error);
    }

    auto facts = fuzz::baseline_facts();
    facts.misc_capacity = source;
    fuzz::check_report_prints(facts, std::nullopt);
    facts = fuzz::baseline_facts();
    facts.misc_current = source;
    fuzz::check_report_prints(facts, std::nullopt);
    return 0;
}
