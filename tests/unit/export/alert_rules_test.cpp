// The shipped alert rules (docs/fleet/sevd-alerts.yml): valid for promtool,
// and each fires on the series it is about (promtool test rules).
#include <gtest/gtest.h>

#include "tests/support/child_process.h"
#include "tests/support/temp_dir.h"

namespace sevd::test {
namespace {

const std::filesystem::path kRules = SEVD_SOURCE_DIR "/docs/fleet/sevd-alerts.yml";

TEST(AlertRules, PromtoolChecksThem) {
    const auto result = run_command({"promtool", "check", "rules", kRules.string()});
    EXPECT_EQ(result.exit_code, 0) << result.output;
    EXPECT_NE(result.output.find("SUCCESS: 5 rules found"), std::string::npos) << result.output;
}

// Series as sevd writes them for a host whose SEV pool fills up (9 of 10
// slots: 90 %) while the SEV-ES pool stays at 1 of 99, that is not ready,
// whose limit cannot be read, and whose textfile stopped being rewritten.
constexpr const char* kUnitTests = R"(rule_files:
  - sevd-alerts.yml
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'sevd_asid_slots{instance="h1",model="amd-sev"}'
        values: '10x30'
      - series: 'sevd_asid_slots_used{instance="h1",model="amd-sev"}'
        values: '8x5 9x25'
      - series: 'sevd_asid_slots{instance="h1",model="amd-sev-es"}'
        values: '99x30'
      - series: 'sevd_asid_slots_used{instance="h1",model="amd-sev-es"}'
        values: '1x30'
      - series: 'sevd_asid_slots{instance="h1",model="amd-sev-snp"}'
        values: '0x30'
      - series: 'sevd_asid_slots_used{instance="h1",model="amd-sev-snp"}'
        values: '0x30'
      - series: 'sevd_ready{instance="h1"}'
        values: '1x5 0x25'
      - series: 'sevd_machine_slice_memory_limit_known{instance="h1"}'
        values: '0x30'
      - series: 'node_textfile_mtime_seconds{instance="h1",file="/var/lib/prometheus/node-exporter/sevd.prom"}'
        values: '0x30'
    alert_rule_test:
      - eval_time: 10m
        alertname: SevdAsidPoolNearlyFull
        exp_alerts: []
      - eval_time: 16m
        alertname: SevdAsidPoolNearlyFull
        exp_alerts:
          - exp_labels: {severity: warning, instance: h1, model: amd-sev}
            exp_annotations:
              summary: "amd-sev ASID pool 90% used on h1"
              description: "At most 10 % of the host's amd-sev encryption-key slots are free; further launches of that model will be refused with org.sevd.Error.NoSlots. Move guests to other hosts or lower the scheduler weight of this one."
      - eval_time: 16m
        alertname: SevdHostNotReady
        exp_alerts:
          - exp_labels: {severity: warning, instance: h1}
            exp_annotations:
              summary: "No encrypted guest can be launched on h1"
              description: "sevd reports no launchable encryption model. The failing checks are sevd_check{status=\"fail\"} == 1; `sevd probe` on the host names each with its fix."
      - eval_time: 16m
        alertname: SevdMemoryLimitUnknown
        exp_alerts:
          - exp_labels: {severity: warning, instance: h1}
            exp_annotations:
              summary: "machine.slice memory limit unreadable on h1"
              description: "sevd could not read the memory limit of machine.slice, so it admits guests against MemTotal minus the configured reserve. Check the journal of sevd.service and run `sevd tune --dry-run`."
      - eval_time: 10m
        alertname: SevdExportStale
        exp_alerts: []
      - eval_time: 16m
        alertname: SevdExportStale
        exp_alerts:
          - exp_labels: {severity: warning, instance: h1, file: /var/lib/prometheus/node-exporter/sevd.prom}
            exp_annotations:
              summary: "sevd metrics on h1 not updated for 15 minutes"
              description: "sevd.service is probably not running (`systemctl status sevd`); the values of sevd_* on this host are out of date."
)";

TEST(AlertRules, EachFiresOnWhatItIsAbout) {
    TempDir dir("sevd-alerts");
    std::filesystem::copy_file(kRules, dir.path() / "sevd-alerts.yml");
    write_file(dir.path() / "tests.yml", kUnitTests);
    const auto result =
        run_command({"promtool", "test", "rules", (dir.path() / "tests.yml").string()});
    EXPECT_EQ(result.exit_code, 0) << result.output;
}

} // namespace
} // namespace sevd::test
