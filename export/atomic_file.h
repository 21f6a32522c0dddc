// Replaces a file so that a reader sees the old or the new content, never a
// part: written to a dot-file in the same folder (which node_exporter and
// nfd-worker both skip), fsync'ed, then renamed over the file.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string_view>

namespace sevd::exports {

// Says which file, why, and what to do about it.
class ExportError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Mode 0644 whatever the umask: node_exporter runs as another user. Throws
// ExportError; the dot-file is removed on failure.
void replace_file(const std::filesystem::path& path, std::string_view content);

// The dot-file replace_file() writes first: ".NAME.tmp" beside `path`.
std::filesystem::path staging_path(const std::filesystem::path& path);

} // namespace sevd::exports
