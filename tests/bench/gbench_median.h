// Google Benchmark main that also hands each benchmark's median real time to
// the caller, so a bench can print its figure line (figure.h) after the
// ordinary console table.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

namespace sevd::bench {

// Console output as usual; remembers the "median" aggregate of every run, in
// the benchmark's own time unit.
class MedianCapture : public benchmark::ConsoleReporter {
public:
    void ReportRuns(const std::vector<Run>& runs) override {
        for (const auto& run : runs)
            if (run.run_type == Run::RT_Aggregate && run.aggregate_name == "median")
                medians_[run.run_name.function_name] = run.GetAdjustedRealTime();
        ConsoleReporter::ReportRuns(runs);
    }
    // Median of benchmark `function_name`, or -1 when it did not run.
    double median(const std::string& function_name) const {
        const auto it = medians_.find(function_name);
        return it == medians_.end() ? -1 : it->second;
    }

private:
    std::map<std::string, double> medians_;
};

// Runs the registered benchmarks with `argv`; returns the captured medians.
inline MedianCapture run_benchmarks(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    MedianCapture capture;
    benchmark::RunSpecifiedBenchmarks(&capture);
    benchmark::Shutdown();
    return capture;
}

} // namespace sevd::bench
