// A file put in place for the object's lifetime, for tests that must drop a
// file into a directory a real daemon reads (e.g. polkit's actions and rules).
// Writes go through a temporary name and rename(2), so a watcher never reads
// half a file; whatever was at the path before is moved aside (same directory,
// suffix kBackupSuffix, which polkit and dbus ignore) and moved back after, so
// its content, mode and owner come back untouched.
#pragma once

#include <filesystem>
#include <string>

namespace sevd::test {

inline constexpr const char* kBackupSuffix = ".sevd-test-backup";

class ScopedFile {
public:
    // Installs `text` at `path` (mode 0644). Throws std::system_error naming the path.
    ScopedFile(std::filesystem::path path, const std::string& text);
    ~ScopedFile(); // removes the file, or moves the earlier one back
    ScopedFile(const ScopedFile&) = delete;
    ScopedFile& operator=(const ScopedFile&) = delete;

    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
    bool had_earlier_file_ = false;
};

} // namespace sevd::test
