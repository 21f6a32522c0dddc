#include "export/atomic_file.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/unique_fd.h"
#include "probe/errno_name.h"

namespace sevd::exports {
namespace {

constexpr mode_t kFileMode = 0644;

[[noreturn]] void fail(const std::string& what, const std::filesystem::path& path, int error) {
    const std::string folder = path.parent_path().string();
    std::string fix;
    if (error == ENOENT || error == ENOTDIR)
        fix = "; create the folder " + folder + " or change the [export] key";
    else if (error == EACCES || error == EPERM || error == EROFS)
        fix = "; let sevd write " + folder +
              " (sevd.service may write only the default export folders: add a "
              "ReadWritePaths= drop-in for another one)";
    else if (error == ENOSPC || error == EDQUOT)
        fix = "; free space on the file system of " + folder;
    throw ExportError(what + " " + path.string() + ": " + std::strerror(error) + " (" +
                      probe::errno_name(error) + ")" + fix);
}

void write_all(int fd, std::string_view content, const std::filesystem::path& path) {
    while (!content.empty()) {
        const ssize_t n = ::write(fd, content.data(), content.size());
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            fail("cannot write", path, errno);
        content.remove_prefix(static_cast<size_t>(n));
    }
}

void write_staging(const std::filesystem::path& staging, std::string_view content) {
    UniqueFd fd(
        ::open(staging.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, kFileMode));
    if (!fd)
        fail("cannot create", staging, errno);
    if (::fchmod(fd.get(), kFileMode) != 0)
        fail("cannot set the mode of", staging, errno);
    write_all(fd.get(), content, staging);
    // After fsync the data is on disk: close (by UniqueFd) has nothing left to report.
    if (::fsync(fd.get()) != 0)
        fail("cannot flush", staging, errno);
}

} // namespace

std::filesystem::path staging_path(const std::filesystem::path& path) {
    return path.parent_path() / ("." + path.filename().string() + ".tmp");
}

void replace_file(const std::filesystem::path& path, std::string_view content) {
    const auto staging = staging_path(path);
    try {
        write_staging(staging, content);
        if (::rename(staging.c_str(), path.c_str()) != 0)
            fail("cannot rename " + staging.string() + " to", path, errno);
    } catch (const ExportError&) {
        ::unlink(staging.c_str());
        throw;
    }
    // The rename itself reaches the disk with the folder's next sync; a reader
    // sees the new file at once either way.
}

} // namespace sevd::exports
