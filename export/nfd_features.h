// Node Feature Discovery local source (DESIGN.md "Fleet exports"): the two
// feature files sevd keeps in nfd-worker's features.d. Format (NFD's
// customization guide, "Local feature source"): one `name[=value]` per line,
// `# +expiry-time=RFC3339` applies to the lines after it, `# +no-label`
// applies to the one feature line after it (a feature for NodeFeatureRules,
// no node label); files over 64 KiB and dot-files are ignored. Pure.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "probe/host_report.h"

namespace sevd::exports {

inline constexpr std::string_view kNfdNamespace = "sevd.feature.node.kubernetes.io";
inline constexpr std::string_view kNfdLabelsFile = "sevd";
inline constexpr std::string_view kNfdCapacityFile = "sevd-capacity";
// Labels of a daemon that stopped rewriting vanish after this; the daemon
// rewrites at least every kExportInterval, well inside it.
inline constexpr std::chrono::minutes kNfdExpiry{15};
inline constexpr size_t kNfdMaxFileBytes = 65536; // nfd-worker ignores larger files

// File `sevd`: <ns>/ready=true|false and <ns>/<model>=true per launchable model.
std::string render_nfd_labels(const probe::HostReport& report,
                              std::chrono::system_clock::time_point now);
// File `sevd-capacity`: <ns>/<model>.slots=N and <ns>/<model>.slots-free=N per
// model, each marked `# +no-label`.
std::string render_nfd_capacity(const probe::HostReport& report,
                                std::chrono::system_clock::time_point now);

// `time` as RFC 3339 in UTC, whole seconds ("2026-12-03T19:07:00Z").
std::string rfc3339_utc(std::chrono::system_clock::time_point time);

} // namespace sevd::exports
