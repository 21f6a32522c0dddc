// Builds reports from the fixture snapshot hosts (tests/fixtures/<host>/)
// with the real readers and libvirt's in-process test driver.
#pragma once

#include <algorithm>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "libvirt_helper/libvirt_readings.h"
#include "probe/prober.h"

namespace sevd::probe::testing {

inline std::string fixture(const std::string& host) {
    return std::string(SEVD_FIXTURES_DIR) + "/" + host;
}

// test:///default: connects, has no domain running with <launchSecurity>.
inline constexpr const char* kTestDriver = "test:///default";

inline std::string probe_node_uri() {
    return "test://" + fixture("probe-libvirt-node.xml");
}

inline HostReport report_for(const std::string& host,
                             const std::optional<std::string>& uri = kTestDriver,
                             std::optional<uint32_t> cap = std::nullopt) {
    const auto root = fixture(host);
    std::optional<LibvirtFacts> libvirt;
    if (uri)
        libvirt = libvirt::read_libvirt_facts(root, *uri);
    return build_report(read_host_facts(root), libvirt, cap);
}

inline const Check& check_of(const HostReport& report, const std::string& id) {
    const auto it = std::find_if(report.checks.begin(), report.checks.end(),
                                 [&id](const Check& c) { return c.id == id; });
    if (it == report.checks.end()) {
        ADD_FAILURE() << "no check " << id;
        static const Check none{};
        return none;
    }
    return *it;
}

inline std::vector<std::string> failed_ids(const HostReport& report) {
    std::vector<std::string> ids;
    for (const auto& c : report.checks)
        if (c.status == CheckStatus::Fail)
            ids.push_back(c.id);
    return ids;
}

} // namespace sevd::probe::testing
