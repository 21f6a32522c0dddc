// Figure: validation + domain XML build per launch request (budget: median
// <= 50 us, issue 5). Pure work only; the disk is taken as already resolved.
// Prints the median of 15 repetitions.
#include <benchmark/benchmark.h>

#include "launcher/domain_xml.h"
#include "launcher/request_validator.h"
#include "tests/bench/figure.h"
#include "tests/bench/gbench_median.h"

namespace sevd::launcher {
namespace {

// A request exercising most rules: both encryption keys, model + trait,
// versioned q35, virtio-scsi boot disk, 2 MiB pages, two NUMA nodes.
LaunchRequest full_request() {
    return {"bench-guest-01",
            8192,
            8,
            "/var/lib/libvirt/images/bench-guest-01.qcow2",
            {{"hw:mem_encryption", "True"},
             {"hw_mem_encryption", "yes"},
             {"hw:mem_encryption_model", "amd-sev-es"},
             {"trait:HW_CPU_X86_AMD_SEV_ES", "required"},
             {"hw_firmware_type", "uefi"},
             {"hw_machine_type", "pc-q35-7.2"},
             {"hw_disk_bus", "scsi"},
             {"hw_scsi_model", "virtio-scsi"},
             {"hw:mem_page_size", "2MB"},
             {"hw:numa_nodes", "2"}}};
}

LaunchRequest minimal_request() {
    return {"bench-guest-02", 2048, 2, "/var/lib/libvirt/images/bench-guest-02.img", {}};
}

void run(benchmark::State& state, const LaunchRequest& request) {
    const ValidationContext context;
    const ResolvedImage image{request.disk, ImageKind::File, ImageFormat::Qcow2};
    const HostSecurity host{47, 1};
    for (auto _ : state) {
        auto validated = validate_request(request, context);
        auto xml = build_domain_xml(validated, image, host);
        benchmark::DoNotOptimize(xml.data());
    }
}

void BM_ValidateAndBuildXml_Full(benchmark::State& state) {
    run(state, full_request());
}
void BM_ValidateAndBuildXml_Minimal(benchmark::State& state) {
    run(state, minimal_request());
}

BENCHMARK(BM_ValidateAndBuildXml_Full)
    ->Unit(benchmark::kMicrosecond)
    ->MinTime(0.1)
    ->Repetitions(15)
    ->ReportAggregatesOnly(true);
BENCHMARK(BM_ValidateAndBuildXml_Minimal)
    ->Unit(benchmark::kMicrosecond)
    ->MinTime(0.1)
    ->Repetitions(15)
    ->ReportAggregatesOnly(true);

} // namespace
} // namespace sevd::launcher

int main(int argc, char** argv) {
    using namespace sevd::bench;
    constexpr double kBudgetMicros = 50;
    const auto capture = run_benchmarks(argc, argv);
    const double full = capture.median("BM_ValidateAndBuildXml_Full");
    if (full < 0)
        return 0; // filtered out
    print_figure(
        {"launch request validation + domain XML (full request)", format("%.1f us", full),
         "minimal request: " + format("%.1f us", capture.median("BM_ValidateAndBuildXml_Minimal")),
         "-", "<= 50 us", full <= kBudgetMicros});
    return 0;
}
