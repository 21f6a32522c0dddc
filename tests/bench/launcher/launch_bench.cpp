// Figures: validation + domain XML build per launch request (budget: median
// <= 50 us, issue 5), pure work only, the disk taken as already resolved (a
// 3-file qcow2 chain, a seed, a network); and, as its own row, the image I/O
// a launch adds: opening a 3-file qcow2 chain beneath its image directory and
// reading each header (no budget: it depends on the disk). Medians of 15
// repetitions.
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <stdlib.h>

#include <benchmark/benchmark.h>

#include "launcher/domain_xml.h"
#include "launcher/image_resolver.h"
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
             {"hw:numa_nodes", "2"},
             {"disk_format", "qcow2"},
             {"sevd:network", "default"},
             {"sevd:seed", "/var/lib/libvirt/images/bench-guest-01-seed.iso"}}};
}

LaunchRequest minimal_request() {
    return {"bench-guest-02", 2048, 2, "/var/lib/libvirt/images/bench-guest-02.img", {}};
}

void run(benchmark::State& state, const LaunchRequest& request) {
    ValidationContext context;
    context.networks = {"default"};
    const ResolvedImage image{
        {{request.disk, ImageKind::File, ImageFormat::Qcow2, "disk-0"},
         {"/var/lib/libvirt/images/bases/mid.qcow2", ImageKind::File, ImageFormat::Qcow2, "disk-1"},
         {"/var/lib/libvirt/images/bases/base.raw", ImageKind::File, ImageFormat::Raw, "disk-2"}}};
    const std::optional<ResolvedImage> seed{
        {{{"/var/lib/libvirt/images/seed.iso", ImageKind::File, ImageFormat::Raw, "seed-0"}}}};
    const HostSecurity host{47, 1};
    for (auto _ : state) {
        auto validated = validate_request(request, context);
        auto xml =
            build_domain_xml(validated, image, host, validated.seed.empty() ? std::nullopt : seed);
        benchmark::DoNotOptimize(xml.data());
    }
}

// A 3-file chain built with qemu-img in a temporary image directory.
class ChainDir {
public:
    ChainDir() {
        char name[] = "/tmp/sevd-bench-chain-XXXXXX";
        if (mkdtemp(name) == nullptr)
            return;
        dir_ = name;
        const auto command = "cd " + dir_.string() +
                             " && qemu-img create -f raw base.raw 1M && qemu-img create -f qcow2 "
                             "-b base.raw -F raw mid.qcow2 && qemu-img create -f qcow2 -b "
                             "mid.qcow2 -F qcow2 top.qcow2";
        ok_ = std::system((command + " >/dev/null 2>&1").c_str()) == 0;
    }
    ~ChainDir() {
        std::error_code ec;
        if (!dir_.empty())
            std::filesystem::remove_all(dir_, ec);
    }
    bool ok() const { return ok_; }
    const std::filesystem::path& dir() const { return dir_; }

private:
    std::filesystem::path dir_;
    bool ok_ = false;
};

void BM_OpenQcow2Chain(benchmark::State& state) {
    static const ChainDir chain;
    if (!chain.ok()) {
        state.SkipWithError("qemu-img could not build the chain (package qemu-utils)");
        return;
    }
    const std::vector<std::filesystem::path> dirs{chain.dir()};
    const auto top = (chain.dir() / "top.qcow2").string();
    for (auto _ : state) {
        auto opened = open_image(top, ImageFormat::Qcow2, dirs, {"disk", "disk", true});
        benchmark::DoNotOptimize(opened.fds.data());
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
BENCHMARK(BM_OpenQcow2Chain)
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
    const double chain = capture.median("BM_OpenQcow2Chain");
    if (chain >= 0)
        print_figure({"qcow2 chain open + header read, 3 files (I/O, beside the row above)",
                      format("%.1f us", chain), "-", "-", "reported", true});
    return 0;
}
