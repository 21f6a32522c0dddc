#include "common/file_reader.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

#include "common/unique_fd.h"

namespace sevd {
namespace {

constexpr size_t kMaxFileBytes = 1 << 20;
constexpr size_t kChunkBytes = 4096;

FileRead error_result(const std::filesystem::path& path, int error_number) {
    FileRead read;
    read.error_number = error_number;
    if (error_number == ENOENT || error_number == ENOTDIR) {
        read.status = FileRead::Status::Missing;
        return read;
    }
    read.status = FileRead::Status::Error;
    read.error = path.string() + ": " + std::strerror(error_number);
    return read;
}

} // namespace

FileRead read_small_file(const std::filesystem::path& path) {
    // O_NONBLOCK: a FIFO planted in a snapshot must not block the daemon's
    // main loop in open(); anything but a regular file is refused below.
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
    if (!fd)
        return error_result(path, errno);
    struct stat info {};
    if (::fstat(fd.get(), &info) != 0)
        return error_result(path, errno);
    FileRead read;
    if (!S_ISREG(info.st_mode)) {
        read.status = FileRead::Status::Error;
        read.error = path.string() + ": not a regular file";
        return read;
    }
    char buffer[kChunkBytes];
    while (true) {
        const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return error_result(path, errno);
        }
        if (n == 0)
            break;
        read.content.append(buffer, static_cast<size_t>(n));
        if (read.content.size() > kMaxFileBytes) {
            read.content.clear();
            read.status = FileRead::Status::Error;
            read.error = path.string() + ": larger than 1 MiB";
            return read;
        }
    }
    read.status = FileRead::Status::Ok;
    return read;
}

void write_text_file(const std::filesystem::path& path, std::string_view content) {
    std::filesystem::create_directories(path.parent_path());
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!fd)
        throw std::system_error(errno, std::generic_category(), path.string());
    while (!content.empty()) {
        const ssize_t n = ::write(fd.get(), content.data(), content.size());
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            throw std::system_error(errno, std::generic_category(), path.string());
        content.remove_prefix(static_cast<size_t>(n));
    }
}

} // namespace sevd
