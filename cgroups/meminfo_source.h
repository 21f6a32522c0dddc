// MemTotal of the host (or of a snapshot): root/proc/meminfo.
#pragma once

#include <cstdint>
#include <filesystem>

namespace sevd::cgroups {

// Throws TuneError Io when the file is unreadable or has no MemTotal line.
uint64_t read_mem_total_bytes(const std::filesystem::path& root);

} // namespace sevd::cgroups
