// Fuzzes the /dev/sev status decoders: the snapshot text form (DIR/sev/
// platform-status and snp-platform-status: reply hex, an errno name, or
// "ioctl-error ERRNO 0xCODE") and the SEV_PLATFORM_STATUS / SNP_PLATFORM_STATUS
// reply decoders, fed both the parsed reply and the raw input bytes (what the
// ioctl hands back on a live host). Properties: never crash; a record that
// parses survives the capture round trip; a reply decodes exactly when it has
// the documented size; the report built with the record prints.
#include <cstdint>
#include <span>

#include "probe/sev_platform_status.h"
#include "probe/sev_status_record.h"
#include "tests/fuzz/probe/report_property.h"

using namespace sevd;

namespace {

void check_reply_decoders(std::span<const uint8_t> reply) {
    const auto sev = probe::decode_sev_platform_status(reply);
    fuzz::check(sev.has_value() == (reply.size() == probe::sev::kPlatformStatusSize),
                "SEV_PLATFORM_STATUS decodes exactly at its documented size");
    if (sev)
        fuzz::check(probe::firmware_state_from_raw(sev->state).has_value() == (sev->state <= 2),
                    "states 0..2 are known, others are not");
    const auto snp = probe::decode_snp_platform_status(reply);
    fuzz::check(snp.has_value() == (reply.size() == probe::sev::kSnpPlatformStatusSize),
                "SNP_PLATFORM_STATUS decodes exactly at its documented size");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    check_reply_decoders({data, size});

    const auto parsed = probe::parse_sev_status_record(fuzz::as_text(data, size));
    fuzz::check(parsed.record.has_value() == parsed.error.empty(),
                "a status file either parses or names its error");
    probe::Source<probe::SevStatusRecord> source;
    if (parsed.record) {
        const auto again = probe::parse_sev_status_record(format_sev_status_record(*parsed.record));
        fuzz::check(again.record == parsed.record, "a record survives the capture round trip");
        if (parsed.record->kind == probe::SevStatusRecord::Kind::Reply)
            check_reply_decoders(parsed.record->reply);
        source.value = parsed.record;
    } else {
        source.error = fuzz::reader_error(probe::snapshot::kPlatformStatus, parsed.error);
    }

    auto facts = fuzz::baseline_facts();
    facts.dev_sev_present = true;
    facts.sev_status = source;
    fuzz::check_report_prints(facts, std::nullopt);
    facts.snp_status = source;
    fuzz::check_report_prints(facts, std::nullopt);
    return 0;
}
