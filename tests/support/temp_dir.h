// A fresh directory under $TMPDIR (or /tmp), removed with everything in it
// when the object goes away, also when a test fails.
#pragma once

#include <filesystem>
#include <string>

namespace sevd::test {

class TempDir {
public:
    explicit TempDir(const std::string& prefix = "sevd-test");
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return path_; }
    // Copies a directory tree (e.g. a fixture snapshot) to path()/name.
    std::filesystem::path copy_in(const std::filesystem::path& source, const std::string& name);

private:
    std::filesystem::path path_;
};

// Writes `text` to `path`, replacing it (creating parent directories).
void write_file(const std::filesystem::path& path, const std::string& text);

} // namespace sevd::test
