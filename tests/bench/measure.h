// What the D-Bus benchmarks share: pinning to one CPU (client, bus and
// daemon compete for the same core, as the round-trip figures assume) and
// the median of repeated rates.
#pragma once

#include <algorithm>
#include <sched.h>
#include <unistd.h>
#include <vector>

namespace sevd::bench {

inline double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

inline void pin_this_process(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    sched_setaffinity(0, sizeof set, &set);
}

// Every online CPU again (after pin_this_process), for the processes it starts.
inline void unpin_this_process() {
    cpu_set_t set;
    CPU_ZERO(&set);
    const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    for (long cpu = 0; cpu < cpus && cpu < CPU_SETSIZE; ++cpu)
        CPU_SET(cpu, &set);
    sched_setaffinity(0, sizeof set, &set);
}

} // namespace sevd::bench
