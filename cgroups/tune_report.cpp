#include "cgroups/tune_report.h"

#include <sstream>

#include "cgroups/limit_plan.h"

namespace sevd::cgroups {
namespace {

nlohmann::json limit_json(const LimitInForce& limit) {
    return {{"limit_bytes", limit.limit_bytes},
            {"source", limit.source},
            {"cgroup_version", limit.cgroup_version},
            {"path", limit.path}};
}

std::string bytes_with_exact(uint64_t bytes) {
    return human_bytes(bytes) + " (" + std::to_string(bytes) + " bytes)";
}

std::string limit_text(const LimitInForce& limit) {
    return (limit.limit_bytes == 0 ? std::string("none") : bytes_with_exact(limit.limit_bytes)) +
           "  [" + limit.path + "]";
}

const char* label(TuneAction action) {
    switch (action) {
    case TuneAction::Applied:
        return "applied";
    case TuneAction::AlreadyInForce:
        return "already in force";
    case TuneAction::DryRun:
        return "dry run";
    case TuneAction::Refused:
        return "refused";
    case TuneAction::Failed:
        return "failed";
    }
    return "failed";
}

const char* verdict(TuneAction action) {
    switch (action) {
    case TuneAction::Applied:
    case TuneAction::AlreadyInForce:
        return "PASS";
    case TuneAction::DryRun:
        return "SKIP";
    case TuneAction::Refused:
    case TuneAction::Failed:
        return "FAIL";
    }
    return "FAIL";
}

} // namespace

nlohmann::json tune_report_json(const TuneReport& report) {
    const auto& r = report.result;
    return {{"action", to_string(r.action)},
            {"dry_run", report.dry_run},
            {"changed", r.changed},
            {"mem_total_bytes", r.mem_total_bytes},
            {"reserved_bytes", r.reserved_bytes},
            {"reserve_origin", r.reserve_origin},
            {"computed_limit_bytes", r.computed_limit_bytes},
            {"sev_guests",
             {{"running", report.guests.count},
              {"locked_bytes", r.locked_guest_bytes},
              {"libvirt_reachable", report.guests.libvirt_reachable},
              {"note", report.guests.note},
              {"counted_from", report.guests.source}}},
            {"before", limit_json(r.before)},
            {"after", limit_json(r.after)},
            {"message", r.message},
            {"hint", r.hint}};
}

nlohmann::json tune_failure_json(TuneAction action, const std::string& message,
                                 const std::string& hint) {
    return {{"action", to_string(action)}, {"message", message}, {"hint", hint}};
}

std::string tune_report_text(const TuneReport& report) {
    const auto& r = report.result;
    std::ostringstream out;
    out << "machine.slice memory limit (" << r.before.source << ", cgroup v"
        << r.before.cgroup_version << ")\n";
    out << "  MemTotal          " << bytes_with_exact(r.mem_total_bytes) << "\n";
    out << "  host reserve      " << human_bytes(r.reserved_bytes) << "  [" << r.reserve_origin
        << "]\n";
    out << "  SEV guests        " << report.guests.count << " running, "
        << human_bytes(r.locked_guest_bytes) << " locked"
        << (report.guests.source.empty() ? "" : "  [" + report.guests.source + "]") << "\n";
    out << "  in force before   " << limit_text(r.before) << "\n";
    if (r.computed_limit_bytes != 0)
        out << "  computed limit    " << bytes_with_exact(r.computed_limit_bytes) << "\n";
    out << "  in force now      " << limit_text(r.after) << "\n";
    if (!report.guests.note.empty())
        out << "WARN " << report.guests.note
            << "\n  fix: start libvirtd or set [libvirt] uri in the configuration\n";
    out << verdict(r.action) << " " << label(r.action) << ": " << r.message << "\n";
    if (!r.hint.empty() && (r.action == TuneAction::Refused || r.action == TuneAction::Failed))
        out << "  fix: " << r.hint << "\n";
    return out.str();
}

} // namespace sevd::cgroups
