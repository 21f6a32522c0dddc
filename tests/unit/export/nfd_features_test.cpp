// The NFD feature files, read back the way nfd-worker's local source reads
// them (tests/support/nfd_feature_file.h, from NFD's documentation).
#include <gtest/gtest.h>

#include "export/fleet_exporter.h"
#include "export/nfd_features.h"
#include "tests/support/nfd_feature_file.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/probe/fixture_report.h"

namespace sevd::exports {
namespace {

using namespace std::chrono_literals;
using probe::testing::report_for;

const auto kNow = std::chrono::system_clock::from_time_t(1764790000); // 2025-12-03T19:26:40Z
const std::string kNs = "sevd.feature.node.kubernetes.io/";

test::nfd::LocalSource read_back(const probe::HostReport& report,
                                 std::chrono::system_clock::time_point read_at) {
    test::nfd::LocalSource source;
    test::nfd::read_text(render_nfd_labels(report, kNow), read_at, source);
    test::nfd::read_text(render_nfd_capacity(report, kNow), read_at, source);
    return source;
}

TEST(NfdFeatures, LabelsAndCapacityOfASplitAsidHost) {
    // rome-split-asids: SEV 410 slots (3 used), SEV-ES 99 (1 used), both
    // launchable; no SNP (a Rome CPU): no SNP slot.
    const auto report = report_for("rome-split-asids");
    const auto source = read_back(report, kNow);
    EXPECT_TRUE(source.errors.empty());
    const std::map<std::string, std::string> labels = {
        {kNs + "ready", "true"}, {kNs + "amd-sev", "true"}, {kNs + "amd-sev-es", "true"}};
    EXPECT_EQ(source.labels, labels);
    std::map<std::string, std::string> features = labels; // labels are features too
    features[kNs + "amd-sev.slots"] = "410";
    features[kNs + "amd-sev.slots-free"] = "407";
    features[kNs + "amd-sev-es.slots"] = "99";
    features[kNs + "amd-sev-es.slots-free"] = "98";
    features[kNs + "amd-sev-snp.slots"] = "0";
    features[kNs + "amd-sev-snp.slots-free"] = "0";
    EXPECT_EQ(source.features, features);
}

TEST(NfdFeatures, ValuesFollowTheReportForEveryModel) {
    for (const std::string host : {"rome-7742", "milan-7763", "naples-7551p", "rome-split-asids"}) {
        const auto report = report_for(host);
        const auto source = read_back(report, kNow);
        EXPECT_EQ(source.labels.at(kNs + "ready"), report.ready ? "true" : "false");
        for (const auto model : kAllModels) {
            const std::string name = kNs + std::string(model_name(model));
            const bool launchable =
                std::find(report.models.begin(), report.models.end(), model) != report.models.end();
            EXPECT_EQ(source.labels.count(name), launchable ? 1u : 0u) << host << " " << name;
            const auto& slots = report.slots(model);
            EXPECT_EQ(source.features.at(name + ".slots"), std::to_string(slots.total));
            EXPECT_EQ(source.features.at(name + ".slots-free"),
                      std::to_string(launchable ? slots.total - slots.used : 0))
                << host << " " << name;
            EXPECT_EQ(source.labels.count(name + ".slots"), 0u); // counts are no labels
        }
    }
}

TEST(NfdFeatures, NotReadyHostSaysFalseAndOffersNoSlot) {
    const auto report = report_for("rome-kvm-sev-off");
    ASSERT_FALSE(report.ready);
    const auto source = read_back(report, kNow);
    EXPECT_EQ(source.labels, (std::map<std::string, std::string>{{kNs + "ready", "false"}}));
    EXPECT_EQ(source.features.at(kNs + "amd-sev.slots-free"), "0");
}

TEST(NfdFeatures, ExpireFifteenMinutesAfterWriting) {
    const auto report = report_for("rome-split-asids");
    const auto fresh = read_back(report, kNow + 14min);
    ASSERT_EQ(fresh.expiry_times.size(), 2u);
    EXPECT_EQ(fresh.expiry_times[0], kNow + 15min);
    EXPECT_EQ(fresh.expiry_times[1], kNow + 15min);
    EXPECT_FALSE(fresh.labels.empty());
    const auto stale = read_back(report, kNow + 15min + 1s);
    EXPECT_TRUE(stale.labels.empty());
    EXPECT_TRUE(stale.features.empty());
}

TEST(NfdFeatures, Rfc3339) {
    EXPECT_EQ(rfc3339_utc(kNow), "2025-12-03T19:26:40Z");
    EXPECT_EQ(rfc3339_utc(std::chrono::system_clock::from_time_t(0)), "1970-01-01T00:00:00Z");
}

TEST(NfdFeatures, FilesWellUnderNfdsSizeLimit) {
    const auto report = report_for("rome-split-asids");
    EXPECT_LT(render_nfd_labels(report, kNow).size(), kNfdMaxFileBytes / 16);
    EXPECT_LT(render_nfd_capacity(report, kNow).size(), kNfdMaxFileBytes / 16);
}

TEST(NfdFeatures, ExporterWritesBothFilesAndNoDotFileRemains) {
    test::TempDir dir("sevd-nfd");
    FleetExporter exporter({{}, dir.path()});
    ExportValues values;
    values.report = report_for("rome-split-asids");
    const auto outcome = exporter.write(values, kNow);
    EXPECT_TRUE(outcome.failed.empty());
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(dir.path()))
        names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, (std::vector<std::string>{"sevd", "sevd-capacity"}));
    const auto source = test::nfd::read_features_dir(dir.path(), kNow);
    EXPECT_TRUE(source.errors.empty());
    EXPECT_EQ(source.features.at(kNs + "amd-sev-es.slots-free"), "98");
}

} // namespace
} // namespace sevd::exports
