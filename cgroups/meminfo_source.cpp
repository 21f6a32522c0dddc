#include "cgroups/meminfo_source.h"

#include <fstream>
#include <sstream>

#include "cgroups/tune_error.h"
#include "probe/meminfo_decoder.h"

namespace sevd::cgroups {

uint64_t read_mem_total_bytes(const std::filesystem::path& root) {
    const auto path = root / "proc/meminfo";
    std::ifstream in(path);
    if (!in)
        throw TuneError(TuneError::Kind::Io, "cannot read " + path.string(),
                        "check that /proc is mounted");
    std::ostringstream text;
    text << in.rdbuf();
    const auto total = probe::parse_meminfo_total_bytes(text.str());
    if (!total || *total == 0)
        throw TuneError(TuneError::Kind::Io, path.string() + " has no valid MemTotal line",
                        "check the kernel's /proc/meminfo");
    return *total;
}

} // namespace sevd::cgroups
