// Reads the small text files sevd probes (sysfs, procfs, snapshot files).
#pragma once

#include <filesystem>
#include <string>

namespace sevd {

struct FileRead {
    enum class Status { Ok, Missing, Error };
    Status status = Status::Missing;
    std::string content; // Ok
    std::string error;   // Error: "<path>: <strerror>"
    int error_number = 0;
    bool ok() const { return status == Status::Ok; }
};

// Missing covers ENOENT/ENOTDIR (absent on that host). Reads at most 1 MiB;
// larger files are an Error (nothing sevd reads is that large).
FileRead read_small_file(const std::filesystem::path& path);

// Creates parent directories and writes content; throws std::system_error
// naming the path on failure (used by `sevd capture`).
void write_text_file(const std::filesystem::path& path, std::string_view content);

} // namespace sevd
