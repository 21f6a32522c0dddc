// render_prometheus: every value against the report it came from (expected
// values from the fixture's README and DESIGN.md's rules), promtool-valid.
#include <gtest/gtest.h>

#include "export/prometheus_metrics.h"
#include "probe/report_json.h"
#include "tests/support/prometheus_samples.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/probe/fixture_report.h"

namespace sevd::exports {
namespace {

using probe::testing::report_for;
using test::prometheus::parse;

std::string series(const std::string& name, const std::string& labels = "") {
    return labels.empty() ? name : name + "{" + labels + "}";
}

ExportValues daemon_values(const probe::HostReport& report) {
    ExportValues values;
    values.report = report;
    values.report_time = std::chrono::system_clock::from_time_t(1764790000);
    values.ledger = LedgerCounts{{{EncryptionModel::Sev, 3, 1}, {EncryptionModel::SevEs, 1, 0}},
                                 5ull * 1024 * 1024 * 1024};
    values.memory_limit_bytes = 60ull * 1024 * 1024 * 1024;
    LaunchStats stats;
    stats.record("ok", std::chrono::milliseconds(300));
    stats.record("ok", std::chrono::seconds(3));
    stats.record("no_slots", std::chrono::milliseconds(1));
    values.launches = stats.counts();
    return values;
}

TEST(PrometheusMetrics, EveryReportValueOfASplitAsidHost) {
    // rome-split-asids: SEV 410 slots (3 used), SEV-ES 99 (1 used), both launchable.
    const auto report = report_for("rome-split-asids", probe::testing::probe_node_uri());
    ASSERT_TRUE(report.ready);
    const auto m = parse(render_prometheus(daemon_values(report)));
    EXPECT_TRUE(m.duplicates.empty());
    EXPECT_EQ(m.samples.at("sevd_ready"), "1");
    EXPECT_EQ(m.samples.at(series("sevd_model_available", "model=\"amd-sev\"")), "1");
    EXPECT_EQ(m.samples.at(series("sevd_model_available", "model=\"amd-sev-es\"")), "1");
    EXPECT_EQ(m.samples.at(series("sevd_asid_slots", "model=\"amd-sev\"")), "410");
    EXPECT_EQ(m.samples.at(series("sevd_asid_slots", "model=\"amd-sev-es\"")), "99");
    EXPECT_EQ(m.samples.at(series("sevd_asid_slots_used", "model=\"amd-sev\"")), "3");
    EXPECT_EQ(m.samples.at(series("sevd_asid_slots_used", "model=\"amd-sev-es\"")), "1");
    for (const auto model : kAllModels) { // and generically, model by model
        const std::string label = "model=\"" + std::string(model_name(model)) + "\"";
        EXPECT_EQ(m.samples.at(series("sevd_asid_slots", label)),
                  std::to_string(report.slots(model).total));
        EXPECT_EQ(m.samples.at(series("sevd_asid_slots_used", label)),
                  std::to_string(report.slots(model).used));
    }
    EXPECT_EQ(m.samples.at("sevd_memory_total_bytes"), std::to_string(report.mem_total_bytes));
    EXPECT_EQ(m.samples.at("sevd_libvirt_available"), "1");
    EXPECT_EQ(m.samples.at("sevd_report_timestamp_seconds"), "1764790000");
}

TEST(PrometheusMetrics, EachCheckHasOneCurrentStatus) {
    const auto report = report_for("rome-7742"); // SEV-ES warned (min SEV ASID 1)
    const auto m = parse(render_prometheus(daemon_values(report)));
    ASSERT_FALSE(report.checks.empty());
    for (const auto& check : report.checks)
        for (const std::string status : {"pass", "warn", "fail", "skip"})
            EXPECT_EQ(m.samples.at(series("sevd_check",
                                          "id=\"" + check.id + "\",status=\"" + status + "\"")),
                      probe::check_status_name(check.status) == status ? "1" : "0")
                << check.id;
    EXPECT_EQ(m.samples.at(series("sevd_check", "id=\"kernel.sev_es\",status=\"warn\"")), "1");
    EXPECT_EQ(m.samples.at(series("sevd_model_available", "model=\"amd-sev-es\"")), "0");
    EXPECT_EQ(m.samples.at(series("sevd_asid_slots", "model=\"amd-sev\"")), "509");
}

TEST(PrometheusMetrics, LedgerLimitAndLaunchesFromTheDaemon) {
    const auto m = parse(render_prometheus(daemon_values(report_for("rome-split-asids"))));
    EXPECT_EQ(m.samples.at("sevd_machine_slice_memory_limit_known"), "1");
    EXPECT_EQ(m.samples.at("sevd_machine_slice_memory_limit_bytes"), "64424509440"); // 60 GiB
    EXPECT_EQ(m.samples.at("sevd_guest_locked_memory_bytes"), "5368709120");         // 5 GiB
    EXPECT_EQ(m.samples.at(series("sevd_guests_running", "model=\"amd-sev\"")), "3");
    EXPECT_EQ(m.samples.at(series("sevd_launches_in_flight", "model=\"amd-sev\"")), "1");
    EXPECT_EQ(m.samples.at(series("sevd_launches_total", "result=\"ok\"")), "2");
    EXPECT_EQ(m.samples.at(series("sevd_launches_total", "result=\"no_slots\"")), "1");
    EXPECT_EQ(m.samples.at(series("sevd_launches_total", "result=\"libvirt\"")), "0");
    // 0.3 s falls in le=0.5, 3 s in le=5; buckets are cumulative.
    EXPECT_EQ(m.samples.at(series("sevd_launch_duration_seconds_bucket", "le=\"0.25\"")), "0");
    EXPECT_EQ(m.samples.at(series("sevd_launch_duration_seconds_bucket", "le=\"0.5\"")), "1");
    EXPECT_EQ(m.samples.at(series("sevd_launch_duration_seconds_bucket", "le=\"2.5\"")), "1");
    EXPECT_EQ(m.samples.at(series("sevd_launch_duration_seconds_bucket", "le=\"5\"")), "2");
    EXPECT_EQ(m.samples.at(series("sevd_launch_duration_seconds_bucket", "le=\"+Inf\"")), "2");
    EXPECT_EQ(m.samples.at("sevd_launch_duration_seconds_count"), "2");
    EXPECT_EQ(m.samples.at("sevd_launch_duration_seconds_sum"), "3.3");
    EXPECT_EQ(m.types.at("sevd_launch_duration_seconds"), "histogram");
    EXPECT_EQ(m.types.at("sevd_launches_total"), "counter");
}

TEST(PrometheusMetrics, UnknownValuesAreLeftOutNotZero) {
    ExportValues values; // what `sevd probe --prometheus` has: the report only
    values.report = report_for("rome-split-asids");
    const auto m = parse(render_prometheus(values));
    EXPECT_EQ(m.samples.at("sevd_machine_slice_memory_limit_known"), "0");
    EXPECT_EQ(m.samples.count("sevd_machine_slice_memory_limit_bytes"), 0u);
    EXPECT_EQ(m.samples.count("sevd_guest_locked_memory_bytes"), 0u);
    EXPECT_EQ(m.samples.count(series("sevd_launches_total", "result=\"ok\"")), 0u);
}

TEST(PrometheusMetrics, HostThatCannotLaunch) {
    const auto report = report_for("intel-kvm-guest", std::nullopt);
    ASSERT_FALSE(report.ready);
    const auto m = parse(render_prometheus(daemon_values(report)));
    EXPECT_EQ(m.samples.at("sevd_ready"), "0");
    EXPECT_EQ(m.samples.at(series("sevd_model_available", "model=\"amd-sev\"")), "0");
    EXPECT_EQ(m.samples.at(series("sevd_asid_slots", "model=\"amd-sev\"")), "0");
    EXPECT_EQ(m.samples.count("sevd_firmware_info"), 0u); // no /dev/sev: no firmware facts
}

TEST(PrometheusMetrics, FirmwareInfo) {
    const auto report = report_for("rome-split-asids");
    ASSERT_TRUE(report.firmware.readable);
    const auto m = parse(render_prometheus(daemon_values(report)));
    const std::string labels = "api_version=\"" + std::to_string(report.firmware.api_major) + "." +
                               std::to_string(report.firmware.api_minor) + "\",build=\"" +
                               std::to_string(report.firmware.build) + "\",state=\"" +
                               std::string(probe::firmware_state_name(*report.firmware.state)) +
                               "\"";
    EXPECT_EQ(m.samples.at(series("sevd_firmware_info", labels)), "1");
}

TEST(PrometheusMetrics, LabelValuesAreEscaped) {
    ExportValues values;
    values.report.checks.push_back({"odd\"id\\x\ny", probe::CheckStatus::Pass, "", "", {}});
    const auto text = render_prometheus(values);
    EXPECT_NE(text.find(R"(sevd_check{id="odd\"id\\x\ny",status="pass"} 1)"), std::string::npos)
        << text;
}

TEST(PrometheusMetrics, PromtoolAcceptsEveryFixture) {
    test::TempDir dir("sevd-promtool");
    for (const std::string host : {"rome-split-asids", "rome-7742", "milan-7763", "intel-kvm-guest",
                                   "rome-fw-error", "naples-7551p"}) {
        const auto report = report_for(host);
        for (const auto& values : {daemon_values(report), ExportValues{report, {}, {}, {}, {}}}) {
            const auto result =
                test::prometheus::promtool_check_metrics(render_prometheus(values), dir.path());
            EXPECT_EQ(result.exit_code, 0) << host << ": " << result.output;
            EXPECT_EQ(result.output, "") << host;
        }
    }
}

} // namespace
} // namespace sevd::exports
