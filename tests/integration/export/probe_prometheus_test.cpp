// `sevd probe --prometheus`: the daemon's renderer, once, on stdout; valid for
// promtool; the same values as `sevd probe --json`; exit code as without it.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/child_process.h"
#include "tests/support/prometheus_samples.h"
#include "tests/support/sevd_daemon.h"
#include "tests/support/temp_dir.h"

namespace sevd::test {
namespace {

CommandResult probe(const std::string& host, const std::string& format) {
    return run_command({kSevdBinary, "probe", "--root", std::string(SEVD_FIXTURES_DIR) + "/" + host,
                        "--no-libvirt", format});
}

TEST(ProbePrometheus, SameValuesAsJsonAndValidForPromtool) {
    TempDir dir("sevd-probe-prom");
    for (const std::string host : {"rome-split-asids", "rome-7742", "intel-kvm-guest"}) {
        const auto text = probe(host, "--prometheus");
        const auto json = probe(host, "--json");
        EXPECT_EQ(text.exit_code, json.exit_code) << host;
        const auto check = prometheus::promtool_check_metrics(text.output, dir.path());
        EXPECT_EQ(check.exit_code, 0) << host << ": " << check.output;
        const auto metrics = prometheus::parse(text.output);
        const auto report = nlohmann::json::parse(json.output);
        EXPECT_EQ(metrics.samples.at("sevd_ready"), report["ready"].get<bool>() ? "1" : "0");
        for (const auto& [model, slots] : report["slots"].items()) {
            EXPECT_EQ(metrics.samples.at("sevd_asid_slots{model=\"" + model + "\"}"),
                      slots["total"].dump());
            EXPECT_EQ(metrics.samples.at("sevd_asid_slots_used{model=\"" + model + "\"}"),
                      slots["used"].dump());
        }
        for (const auto& c : report["checks"])
            EXPECT_EQ(metrics.samples.at("sevd_check{id=\"" + c["id"].get<std::string>() +
                                         "\",status=\"" + c["status"].get<std::string>() + "\"}"),
                      "1");
        // Without a daemon: no ledger, no launches, the limit unknown.
        EXPECT_EQ(metrics.samples.at("sevd_machine_slice_memory_limit_known"), "0");
        EXPECT_EQ(metrics.samples.count("sevd_guest_locked_memory_bytes"), 0u);
    }
}

TEST(ProbePrometheus, ExcludesJson) {
    const auto result =
        run_command({kSevdBinary, "probe", "--root", std::string(SEVD_FIXTURES_DIR) + "/rome-7742",
                     "--no-libvirt", "--json", "--prometheus"});
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_NE(result.output.find("exclude each other"), std::string::npos) << result.output;
}

} // namespace
} // namespace sevd::test
