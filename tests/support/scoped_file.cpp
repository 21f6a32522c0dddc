#include "tests/support/scoped_file.h"

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <sys/stat.h>
#include <system_error>

namespace sevd::test {
namespace {

std::filesystem::path with_suffix(const std::filesystem::path& path, const char* suffix) {
    return path.string() + suffix;
}

void rename_or_throw(const std::filesystem::path& from, const std::filesystem::path& to) {
    if (std::rename(from.c_str(), to.c_str()) != 0)
        throw std::system_error(errno, std::generic_category(),
                                "rename " + from.string() + " to " + to.string());
}

// The temporary name ends in ".tmp", which neither polkit (*.rules, *.policy)
// nor dbus-daemon (*.conf) loads.
void write_atomically(const std::filesystem::path& path, const std::string& text) {
    const auto temporary = with_suffix(path, ".sevd-test.tmp");
    {
        std::ofstream out(temporary, std::ios::trunc);
        out << text;
        if (!out.flush())
            throw std::system_error(errno, std::generic_category(), "write " + temporary.string());
    }
    if (chmod(temporary.c_str(), 0644) != 0)
        throw std::system_error(errno, std::generic_category(), "chmod " + temporary.string());
    rename_or_throw(temporary, path);
}

} // namespace

ScopedFile::ScopedFile(std::filesystem::path path, const std::string& text)
    : path_(std::move(path)) {
    std::error_code ec;
    if (std::filesystem::exists(std::filesystem::symlink_status(path_, ec))) {
        rename_or_throw(path_, with_suffix(path_, kBackupSuffix));
        had_earlier_file_ = true;
    }
    try {
        write_atomically(path_, text);
    } catch (...) {
        if (had_earlier_file_)
            std::rename(with_suffix(path_, kBackupSuffix).c_str(), path_.c_str());
        throw;
    }
}

ScopedFile::~ScopedFile() {
    if (had_earlier_file_)
        std::rename(with_suffix(path_, kBackupSuffix).c_str(), path_.c_str());
    else
        std::remove(path_.c_str());
}

} // namespace sevd::test
