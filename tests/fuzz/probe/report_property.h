// The property every probe fuzz target ends with: whatever a decoder made of
// its input, the report built from it can be printed. `sevd probe --json` and
// D-Bus Describe() dump the report with nlohmann::json (which throws on text
// that is not UTF-8; the D-Bus properties carry the same strings, and D-Bus
// refuses strings that are not UTF-8), and `sevd probe` prints the text form.
//
// The decoded value replaces one source of a real host's facts (the rome-7742
// fixture), wrapped the way probe/host_reader.cpp wraps it, so the report
// builder sees what `sevd probe --root` would give it for that file.
#pragma once

#include <optional>
#include <string>

#include "probe/prober.h"
#include "probe/report_json.h"
#include "probe/report_text.h"
#include "probe/snapshot_layout.h"
#include "tests/fuzz/fuzz_check.h"

namespace sevd::fuzz {

inline const std::string kBaselineRoot = SEVD_FIXTURES_DIR "/rome-7742";

// The baseline host, read once (the fuzz loop itself does no I/O).
inline const probe::HostFacts& baseline_facts() {
    static const probe::HostFacts facts = probe::read_host_facts(kBaselineRoot);
    return facts;
}

// libvirt as the baseline snapshot shows it, without connecting anywhere.
inline probe::LibvirtFacts baseline_libvirt(probe::Source<probe::DomainCapsSev> domcaps) {
    probe::LibvirtFacts libvirt;
    libvirt.uri = "test:///default";
    libvirt.connected = true;
    libvirt.domcaps_source = kBaselineRoot + "/" + probe::snapshot::kDomainCapabilities;
    libvirt.domcaps = std::move(domcaps);
    libvirt.running.value = probe::RunningEncryptedGuests{};
    return libvirt;
}

// "FILE: message", as the host reader names a file that could not be decoded.
inline std::string reader_error(const char* relative_path, const std::string& message) {
    return kBaselineRoot + "/" + relative_path + ": " + message;
}

inline probe::HostReport check_report_prints(const probe::HostFacts& facts,
                                             const std::optional<probe::LibvirtFacts>& libvirt) {
    const auto report = probe::build_report(facts, libvirt, std::nullopt);
    check(report.ready == !report.models.empty(), "ready means at least one launchable model");
    check(!probe::report_to_text(report).empty(), "the text report is not empty");
    std::string json;
    try {
        json = probe::report_to_json(report).dump(2);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "report_to_json(...).dump(): %s\n", e.what());
        check(false, "the JSON report can be dumped (all its strings are UTF-8)");
    }
    check(!json.empty(), "the JSON report is not empty");
    return report;
}

} // namespace sevd::fuzz
