// Whole-process comparison, one run, alternating so both see the same machine
// state: `sevd probe --no-libvirt` vs `virt-host-validate qemu` (Debian's
// libvirt-clients). Prints both medians, the ratio, the facts each reports,
// and the peak RSS of `sevd probe`. Asserts nothing about time.
//   usage: probe_process_bench SEVD_BINARY [RUNS]
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

namespace {

struct Sample {
    double micros = 0;
    long max_rss_kib = 0;
    int exit_code = -1;
};

// Runs argv with stdout/stderr to /dev/null; wall time and the child's peak RSS.
Sample run(const std::vector<const char*>& argv) {
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

// Number of lines a command prints (each check is one line for both tools).
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

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s SEVD_BINARY [RUNS]\n", argv[0]);
        return 2;
    }
    const char* sevd = argv[1];
    const int runs = argc > 2 ? std::atoi(argv[2]) : 60;
    const std::vector<const char*> sevd_cmd = {sevd, "probe", "--no-libvirt"};
    const std::vector<const char*> vhv_cmd = {"virt-host-validate", "qemu"};
    if (run(vhv_cmd).exit_code == 127) {
        std::printf("virt-host-validate not installed (Debian: libvirt-clients); skipping\n");
        return 0;
    }
    for (int i = 0; i < 3; ++i) { // warm the page cache for both
        run(sevd_cmd);
        run(vhv_cmd);
    }
    std::vector<double> sevd_times, vhv_times, sevd_rss;
    for (int i = 0; i < runs; ++i) {
        const auto a = run(sevd_cmd);
        const auto b = run(vhv_cmd);
        sevd_times.push_back(a.micros);
        sevd_rss.push_back(static_cast<double>(a.max_rss_kib));
        vhv_times.push_back(b.micros);
    }
    const double sevd_median = median(sevd_times);
    const double vhv_median = median(vhv_times);
    // Facts: sevd's checks (one "PASS/WARN/FAIL/SKIP" line each) vs
    // virt-host-validate's check lines.
    const int sevd_checks = count_lines(std::string(sevd) + " probe --no-libvirt 2>/dev/null | "
                                                            "grep -E '^(PASS|WARN|FAIL|SKIP) '");
    const int vhv_checks = count_lines("virt-host-validate qemu 2>/dev/null");
    std::printf("runs: %d each, alternating\n", runs);
    std::printf("sevd probe --no-libvirt : median %8.0f us\n", sevd_median);
    std::printf("virt-host-validate qemu : median %8.0f us\n", vhv_median);
    std::printf("ratio (virt-host-validate / sevd): %.1fx (target >= 5x)\n",
                vhv_median / sevd_median);
    std::printf("facts reported: sevd %d checks, virt-host-validate %d checks\n", sevd_checks,
                vhv_checks);
    std::printf("sevd probe peak RSS: median %.0f KiB\n", median(sevd_rss));
    // Why the ratio is what it is: process start-up (dynamic loading of the
    // libraries `sevd` links) against the in-process probe (probe_live_bench).
    const auto trivial = run({"true"});
    std::printf("for scale: /bin/true %.0f us (one run)\n", trivial.micros);
    return 0;
}
