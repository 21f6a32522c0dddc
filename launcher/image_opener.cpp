#include "launcher/image_opener.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <system_error>
#include <unistd.h>

#include "common/text.h"
#include "launcher/launch_error.h"

namespace sevd::launcher {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxShownPath = 512;

[[noreturn]] void refuse(const std::string& what, const std::string& path, const std::string& why) {
    throw LaunchError(ErrorCode::InvalidArgument,
                      what + " '" + printable(path, kMaxShownPath) + "' is not accepted: " + why);
}

// True when `path` is strictly below `dir`, comparing whole components.
bool is_inside(const fs::path& path, const fs::path& dir) {
    auto [dir_end, path_at] = std::mismatch(dir.begin(), dir.end(), path.begin(), path.end());
    return dir_end == dir.end() && path_at != path.end();
}

// The canonical image directory holding `resolved`; empty when none does.
fs::path holding_dir(const fs::path& resolved, const std::vector<fs::path>& dirs) {
    for (const auto& dir : dirs) {
        std::error_code ec;
        auto canonical_dir = fs::canonical(dir, ec);
        if (!ec && is_inside(resolved, canonical_dir))
            return canonical_dir;
    }
    return {};
}

int open_flags(bool writable) {
    // O_NONBLOCK: a FIFO planted in an image directory must not hang the open.
    return (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
}

// Every component with O_NOFOLLOW: the relative path is canonical (no '.',
// '..' or symlink when it was resolved), so any symlink now is a change.
int walk_nofollow(int dir_fd, const fs::path& relative, int flags) {
    UniqueFd current(::fcntl(dir_fd, F_DUPFD_CLOEXEC, 0));
    auto it = relative.begin();
    for (auto next = std::next(it); next != relative.end(); it = next++) {
        const int fd =
            ::openat(current.get(), it->c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
            return -1;
        current.reset(fd);
    }
    return ::openat(current.get(), it->c_str(), flags | O_NOFOLLOW);
}

int open_relative(int dir_fd, const fs::path& relative, bool writable) {
    open_how how{};
    how.flags = static_cast<uint64_t>(open_flags(writable));
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    const long fd = ::syscall(SYS_openat2, dir_fd, relative.c_str(), &how, sizeof how);
    if (fd >= 0 || errno != ENOSYS)
        return static_cast<int>(fd);
    return walk_nofollow(dir_fd, relative, open_flags(writable));
}

std::string open_failure(int error, bool writable) {
    const std::string reason = std::strerror(error);
    if (error == ELOOP || error == EXDEV || error == ENOENT)
        return "it changed while sevd opened it (" + reason +
               "; a component was replaced by a symlink or removed); retry the launch";
    if (error == EISDIR)
        return "it is a directory, neither a regular file nor a block device";
    if (error == EROFS)
        return "it is read-only for sevd (" + reason +
               "); allow writes to its image directory (ReadWritePaths= in a drop-in for "
               "sevd.service)";
    if (error == EACCES || error == EPERM)
        return std::string("sevd may not open it ") + (writable ? "for writing" : "for reading") +
               " (" + reason + "); make it owned by root or readable and writable by root";
    return "opening it failed (" + reason + ")";
}

std::string fd_path(int fd) {
    const auto link = "/proc/self/fd/" + std::to_string(fd);
    std::error_code ec;
    auto target = fs::read_symlink(link, ec);
    return ec ? std::string() : target.string();
}

} // namespace

std::string image_dirs_text(const std::vector<fs::path>& dirs) {
    std::string text;
    for (const auto& dir : dirs)
        text += (text.empty() ? "" : ":") + dir.string();
    return text;
}

OpenedFile open_beneath(const std::string& path, const std::vector<fs::path>& dirs, bool writable,
                        const std::string& what) {
    std::error_code ec;
    const auto resolved = fs::canonical(path, ec);
    if (ec)
        refuse(what, path,
               "it cannot be resolved (" + ec.message() + "); give an existing image inside " +
                   image_dirs_text(dirs));
    if (!is_safe_text(resolved.string()))
        refuse(what, path,
               "it resolves to '" + printable(resolved.string(), kMaxShownPath) +
                   "', a name that is not UTF-8 text without control characters");
    const auto dir = holding_dir(resolved, dirs);
    if (dir.empty())
        refuse(what, path,
               "it resolves to '" + printable(resolved.string(), kMaxShownPath) +
                   "', outside the image directories " + image_dirs_text(dirs) +
                   " (image_dirs in sevd.conf); move it into one of them");
    const UniqueFd dir_fd(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!dir_fd)
        refuse(what, path,
               "its image directory '" + dir.string() + "' cannot be opened (" +
                   std::strerror(errno) + ")");
    OpenedFile out;
    out.fd.reset(open_relative(dir_fd.get(), resolved.lexically_relative(dir), writable));
    if (!out.fd)
        refuse(what, path, open_failure(errno, writable));
    struct stat st {};
    if (::fstat(out.fd.get(), &st) != 0 || !(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode)))
        refuse(what, path,
               "'" + resolved.string() + "' is neither a regular file nor a block device");
    const int flags = ::fcntl(out.fd.get(), F_GETFL);
    if (flags < 0 || ::fcntl(out.fd.get(), F_SETFL, flags & ~O_NONBLOCK) != 0)
        refuse(what, path,
               std::string("its descriptor cannot be set up (") + std::strerror(errno) + ")");
    out.kind = S_ISBLK(st.st_mode) ? ImageKind::Block : ImageKind::File;
    out.path = fd_path(out.fd.get());
    if (out.path.empty() || !is_safe_text(out.path) || !is_inside(out.path, dir))
        refuse(what, path,
               "what sevd opened is not inside '" + dir.string() + "'; retry the launch");
    return out;
}

} // namespace sevd::launcher
