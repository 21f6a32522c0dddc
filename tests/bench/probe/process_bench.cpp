// Whole-process comparison, one run, alternating so every command sees the
// same machine state: `sevd probe --no-libvirt` vs `virt-host-validate qemu`
// (Debian's libvirt-clients). Prints the medians, the ratios, the facts each
// reports, and the peak RSS of `sevd probe`. Asserts nothing about time.
//   usage: probe_process_bench SEVD [RUNS]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include "tests/bench/figure.h"

namespace {

using Command = std::vector<const char*>;

struct Sample {
    double micros = 0;
    long max_rss_kib = 0;
    int exit_code = -1;
};

// Runs argv with stdout/stderr to /dev/null; wall time and the child's peak RSS.
Sample run(const Command& argv) {
    const auto start = std::chrono::steady_clock::now();
    const pid_t pid = ::fork();
    if (pid == 0) {
        const int null = ::open("/dev/null", O_WRONLY);
        ::dup2(null, 1);
        ::dup2(null, 2);
        std::vector<char*> args;
        for (const auto* a : argv)
            args.push_back(const_cast<char*>(a));
        args.push_back(nullptr);
        ::execvp(args[0], args.data());
        ::_exit(127);
    }
    int status = 0;
    rusage usage{};
    ::wait4(pid, &status, 0, &usage);
    const auto end = std::chrono::steady_clock::now();
    Sample s;
    s.micros = std::chrono::duration<double, std::micro>(end - start).count();
    s.max_rss_kib = usage.ru_maxrss;
    s.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return s;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// Lines a shell command prints.
int count_lines(const std::string& command) {
    FILE* pipe = ::popen(command.c_str(), "r");
    if (!pipe)
        return -1;
    int lines = 0;
    for (int c; (c = std::fgetc(pipe)) != EOF;)
        lines += c == '\n';
    ::pclose(pipe);
    return lines;
}

struct Series {
    std::string label;
    Command command;
    std::vector<double> micros;
    std::vector<double> rss_kib;
};

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s SEVD [RUNS]\n", argv[0]);
        return 2;
    }
    const int runs = argc > 2 ? std::atoi(argv[2]) : 60;
    std::vector<Series> series = {
        {"virt-host-validate qemu", {"virt-host-validate", "qemu"}, {}, {}},
        {"sevd probe --no-libvirt", {argv[1], "probe", "--no-libvirt"}, {}, {}},
    };
    if (run(series[0].command).exit_code == 127) {
        std::printf("virt-host-validate not installed (Debian: libvirt-clients); skipping\n");
        return 0;
    }
    for (int warm = 0; warm < 3; ++warm) // page cache
        for (const auto& s : series)
            run(s.command);
    for (int i = 0; i < runs; ++i)
        for (auto& s : series) {
            const auto sample = run(s.command);
            s.micros.push_back(sample.micros);
            s.rss_kib.push_back(static_cast<double>(sample.max_rss_kib));
        }

    const double reference = median(series[0].micros);
    std::printf("runs: %d each, alternating\n", runs);
    for (const auto& s : series)
        std::printf("%-30s median %8.0f us  peak RSS %6.0f KiB  virt-host-validate/this %.1fx\n",
                    s.label.c_str(), median(s.micros), median(s.rss_kib),
                    reference / median(s.micros));
    std::printf("target: sevd >= 5x faster than virt-host-validate\n");
    const int sevd_checks = count_lines(std::string(argv[1]) + " probe --no-libvirt 2>/dev/null | "
                                                               "grep -E '^(PASS|WARN|FAIL|SKIP) '");
    const int vhv_checks = count_lines("virt-host-validate qemu 2>/dev/null");
    std::printf("facts reported: sevd %d checks, virt-host-validate %d checks\n", sevd_checks,
                vhv_checks);
    const double sevd = median(series[1].micros);
    const double speedup = reference / sevd;
    sevd::bench::print_figure(
        {"sevd probe --no-libvirt, whole process", sevd::bench::format("%.2f ms", sevd / 1000),
         "virt-host-validate qemu: " + sevd::bench::format("%.2f ms", reference / 1000),
         sevd::bench::format("%.1fx faster", speedup), ">= 5x faster", speedup >= 5});
    sevd::bench::print_figure(
        {"sevd probe --no-libvirt, peak RSS",
         sevd::bench::format("%.0f KiB", median(series[1].rss_kib)),
         "virt-host-validate qemu: " + sevd::bench::format("%.0f KiB", median(series[0].rss_kib)),
         "-", "reported", true});
    return 0;
}
