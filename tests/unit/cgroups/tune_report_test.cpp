#include <gtest/gtest.h>

#include "cgroups/tune_report.h"

namespace sevd::cgroups {
namespace {

TuneReport applied_report() {
    TuneReport report;
    auto& r = report.result;
    r.mem_total_bytes = 25276510208ull;
    r.reserved_bytes = 4294967296ull;
    r.reserve_origin = "/etc/sevd/sevd.conf:2: [memory] reserved_host_memory_mb";
    r.computed_limit_bytes = 20981542912ull;
    r.before = {0, kSourceCgroupfs, 1, "/sys/fs/cgroup/memory/machine.slice/memory.limit_in_bytes"};
    r.after = r.before;
    r.after.limit_bytes = 20981542912ull;
    r.action = TuneAction::Applied;
    r.changed = true;
    r.message = "write 20981542912 to /sys/fs/cgroup/memory/machine.slice/memory.limit_in_bytes";
    return report;
}

TEST(TuneReport, JsonCarriesEveryFigure) {
    const auto json = tune_report_json(applied_report());
    EXPECT_EQ(json["action"], "applied");
    EXPECT_EQ(json["changed"], true);
    EXPECT_EQ(json["dry_run"], false);
    EXPECT_EQ(json["mem_total_bytes"], 25276510208ull);
    EXPECT_EQ(json["computed_limit_bytes"], 20981542912ull);
    EXPECT_EQ(json["before"]["limit_bytes"], 0);
    EXPECT_EQ(json["after"]["limit_bytes"], 20981542912ull);
    EXPECT_EQ(json["after"]["source"], "cgroupfs");
    EXPECT_EQ(json["after"]["cgroup_version"], 1);
    EXPECT_EQ(json["sev_guests"]["running"], 0);
}

TEST(TuneReport, TextEndsWithPassForAnAppliedLimit) {
    const auto text = tune_report_text(applied_report());
    EXPECT_NE(text.find("in force before   none"), std::string::npos);
    EXPECT_NE(text.find("computed limit    19.5 GiB (20981542912 bytes)"), std::string::npos);
    EXPECT_NE(text.find("\nPASS applied: write 20981542912"), std::string::npos);
}

TEST(TuneReport, RefusalPrintsFailAndTheFix) {
    auto report = applied_report();
    report.result.action = TuneAction::Refused;
    report.result.message = "the computed limit is below the locked memory";
    report.result.hint = "lower reserved_host_memory_mb";
    const auto text = tune_report_text(report);
    EXPECT_NE(text.find("FAIL refused: the computed limit"), std::string::npos);
    EXPECT_NE(text.find("  fix: lower reserved_host_memory_mb"), std::string::npos);
}

TEST(TuneReport, UnreachableLibvirtIsAWarning) {
    auto report = applied_report();
    report.guests.note = "libvirt at qemu:///system is not reachable";
    EXPECT_NE(tune_report_text(report).find("WARN libvirt at qemu:///system is not reachable"),
              std::string::npos);
}

TEST(TuneReport, FailureJson) {
    const auto json = tune_failure_json(TuneAction::Refused, "bad", "fix it");
    EXPECT_EQ(json,
              (nlohmann::json{{"action", "refused"}, {"message", "bad"}, {"hint", "fix it"}}));
}

} // namespace
} // namespace sevd::cgroups
