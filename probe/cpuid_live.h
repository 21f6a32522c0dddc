// Reads CPUID from this CPU with the CPUID instruction (x86 only).
#pragma once

#include "probe/cpuid_decoder.h"

namespace sevd::probe {

// The leaves the probe decodes (0, 1, 0x80000000, 0x80000002-4, and
// 0x8000001F when the max extended leaf reaches it), subleaf 0.
CpuidDump read_probe_leaves();

// Every basic and extended leaf up to the reported maxima, subleaf 0 (what
// `sevd capture` writes; leaves with subleaves are recorded at subleaf 0 only).
CpuidDump read_all_leaves();

} // namespace sevd::probe
