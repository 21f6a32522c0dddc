// In-process live probe without libvirt (CPUID instruction, /dev/sev, sysfs,
// /proc, report building). Target from the issue: median <= 200 us.
#include <benchmark/benchmark.h>

#include "libvirt_helper/libvirt_readings.h"
#include "probe/prober.h"
#include "tests/bench/figure.h"
#include "tests/bench/gbench_median.h"

namespace {

void BM_LiveProbeNoLibvirt(benchmark::State& state) {
    sevd::probe::ProbeOptions options;
    options.libvirt = sevd::probe::LibvirtSource::None;
    for (auto _ : state)
        benchmark::DoNotOptimize(sevd::libvirt::probe_host(options));
}
BENCHMARK(BM_LiveProbeNoLibvirt)
    ->Unit(benchmark::kMicrosecond)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);

void BM_ReadHostFacts(benchmark::State& state) {
    for (auto _ : state)
        benchmark::DoNotOptimize(sevd::probe::read_host_facts("/"));
}
BENCHMARK(BM_ReadHostFacts)
    ->Unit(benchmark::kMicrosecond)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);

void BM_BuildReportOnly(benchmark::State& state) {
    const auto facts = sevd::probe::read_host_facts("/");
    for (auto _ : state)
        benchmark::DoNotOptimize(sevd::probe::build_report(facts, std::nullopt, std::nullopt));
}
BENCHMARK(BM_BuildReportOnly)
    ->Unit(benchmark::kMicrosecond)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);

} // namespace

int main(int argc, char** argv) {
    using namespace sevd::bench;
    constexpr double kBudgetMicros = 200;
    const auto capture = run_benchmarks(argc, argv);
    const double live = capture.median("BM_LiveProbeNoLibvirt");
    if (live < 0)
        return 0; // filtered out
    print_figure(
        {"in-process live probe, no libvirt", format("%.0f us", live),
         "report building alone: " + format("%.1f us", capture.median("BM_BuildReportOnly")), "-",
         "<= 200 us", live <= kBudgetMicros});
    return 0;
}
