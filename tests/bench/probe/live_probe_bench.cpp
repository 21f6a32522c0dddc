// In-process live probe without libvirt (CPUID instruction, /dev/sev, sysfs,
// /proc, report building). Target from the issue: median <= 200 us.
#include <benchmark/benchmark.h>

#include "probe/prober.h"

namespace {

void BM_LiveProbeNoLibvirt(benchmark::State& state) {
    sevd::probe::ProbeOptions options;
    options.libvirt_uri = std::nullopt;
    for (auto _ : state)
        benchmark::DoNotOptimize(sevd::probe::probe_host(options));
}
BENCHMARK(BM_LiveProbeNoLibvirt)->Unit(benchmark::kMicrosecond);

void BM_ReadHostFacts(benchmark::State& state) {
    for (auto _ : state)
        benchmark::DoNotOptimize(sevd::probe::read_host_facts("/"));
}
BENCHMARK(BM_ReadHostFacts)->Unit(benchmark::kMicrosecond);

void BM_BuildReportOnly(benchmark::State& state) {
    const auto facts = sevd::probe::read_host_facts("/");
    for (auto _ : state)
        benchmark::DoNotOptimize(sevd::probe::build_report(facts, std::nullopt, std::nullopt));
}
BENCHMARK(BM_BuildReportOnly)->Unit(benchmark::kMicrosecond);

} // namespace

BENCHMARK_MAIN();
