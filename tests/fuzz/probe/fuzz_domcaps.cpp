// Fuzzes the libvirt XML decoders: the <sev> element of domain capabilities
// (DIR/libvirt/domcapabilities.xml, virConnectGetDomainCapabilities) and
// <launchSecurity> of a domain's XML (counting running encrypted guests).
// Properties: never crash; supported='yes' is the only way to "supported";
// the numbers libvirt reports reach the report unchanged; the report built
// with the result prints.
#include <cstdint>

#include "probe/domcaps_decoder.h"
#include "tests/fuzz/probe/report_property.h"

using namespace sevd;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const auto xml = fuzz::as_text(data, size);
    (void)probe::decode_launch_security(xml);

    const auto parsed = probe::decode_domain_caps_sev(xml);
    fuzz::check(parsed.sev.has_value() == parsed.error.empty(),
                "domain capabilities either decode or name their error");
    probe::Source<probe::DomainCapsSev> domcaps;
    if (parsed.sev) {
        fuzz::check(parsed.sev->element_present || !parsed.sev->supported,
                    "no <sev> element means not supported");
        domcaps.value = parsed.sev;
    } else {
        domcaps.error =
            fuzz::reader_error(probe::snapshot::kDomainCapabilities, "libvirt: " + parsed.error);
    }
    const auto report =
        fuzz::check_report_prints(fuzz::baseline_facts(), fuzz::baseline_libvirt(domcaps));
    if (parsed.sev && parsed.sev->supported) {
        fuzz::check(report.libvirt.sev, "supported='yes' reaches the report");
        fuzz::check(report.libvirt.max_guests == parsed.sev->max_guests &&
                        report.libvirt.max_es_guests == parsed.sev->max_es_guests,
                    "maxGuests / maxESGuests reach the report unchanged");
    }
    return 0;
}
