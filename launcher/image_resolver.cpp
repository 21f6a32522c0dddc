#include "launcher/image_resolver.h"

#include <cerrno>
#include <cstring>
#include <set>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

#include "common/text.h"
#include "launcher/image_opener.h"
#include "launcher/launch_error.h"
#include "launcher/qcow2_header.h"

namespace sevd::launcher {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxShownPath = 512;

[[noreturn]] void refuse(const std::string& file, const std::string& why) {
    throw LaunchError(ErrorCode::InvalidArgument, "image file '" + printable(file, kMaxShownPath) +
                                                      "' is not accepted: " + why);
}

// Up to `length` bytes from the start of the file; fewer when it is shorter.
std::vector<uint8_t> read_head(int fd, size_t length, const std::string& path) {
    std::vector<uint8_t> bytes(length);
    size_t got = 0;
    while (got < length) {
        const ssize_t n = ::pread(fd, bytes.data() + got, length - got, static_cast<off_t>(got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            refuse(path, std::string("reading its header failed (") + std::strerror(errno) + ")");
        if (n == 0)
            break;
        got += static_cast<size_t>(n);
    }
    bytes.resize(got);
    return bytes;
}

Qcow2Header read_header(int fd, const std::string& path) {
    try {
        const auto fixed = read_head(fd, kQcow2FixedHeaderBytes, path);
        const auto bytes = read_head(fd, qcow2_header_span(fixed), path);
        return decode_qcow2_header(bytes);
    } catch (const Qcow2Error& e) {
        refuse(path,
               std::string(e.what()) + "; if it is a raw image, launch it with disk_format=raw");
    }
}

ImageFormat backing_format(const Qcow2Header& header, const std::string& path) {
    const auto& backing = *header.backing_file;
    if (!header.backing_format)
        refuse(path, "its backing file '" + printable(backing, kMaxShownPath) +
                         "' has no stated format, and sevd never guesses one; state it with "
                         "'qemu-img rebase -u -F raw|qcow2 -b " +
                         printable(backing, kMaxShownPath) + " " + path +
                         "', or flatten the image with 'qemu-img convert -O qcow2'");
    if (*header.backing_format == "raw")
        return ImageFormat::Raw;
    if (*header.backing_format == "qcow2")
        return ImageFormat::Qcow2;
    refuse(path,
           "its backing file has format '" + printable(*header.backing_format) +
               "' (accepted: raw, qcow2); flatten the image with 'qemu-img convert -O qcow2'");
}

// A relative backing name is relative to the directory of the file naming it.
std::string backing_path(const std::string& backing, const std::string& parent) {
    if (backing.empty() || !is_safe_text(backing))
        refuse(parent, "its backing file name is not UTF-8 text without control characters");
    const fs::path name(backing);
    return name.is_absolute() ? backing : (fs::path(parent).parent_path() / name).string();
}

std::string role(const ImageUse& use, size_t index, const std::string& parent) {
    return index == 0 ? use.what : "backing file of '" + printable(parent, kMaxShownPath) + "'";
}

std::pair<dev_t, ino_t> identity(int fd) {
    struct stat st {};
    ::fstat(fd, &st);
    return {st.st_dev, st.st_ino};
}

// A backing file that cannot be used: the image naming it can also be flattened.
OpenedFile open_layer(const std::string& path, const std::vector<fs::path>& image_dirs,
                      bool writable, const std::string& what, const std::string& parent) {
    try {
        return open_beneath(path, image_dirs, writable, what);
    } catch (const LaunchError& e) {
        if (parent.empty())
            throw;
        throw LaunchError(e.code(), std::string(e.what()) + "; or flatten '" + parent +
                                        "' into a self-contained image with 'qemu-img convert "
                                        "-O qcow2'");
    }
}

} // namespace

std::string_view format_name(ImageFormat format) {
    return format == ImageFormat::Qcow2 ? "qcow2" : "raw";
}

OpenedImage open_image(const std::string& path, ImageFormat format,
                       const std::vector<fs::path>& image_dirs, const ImageUse& use) {
    OpenedImage out;
    std::set<std::pair<dev_t, ino_t>> seen;
    std::string next = path;
    std::string parent;
    for (size_t index = 0;; ++index) {
        if (index == kMaxChainLength)
            refuse(parent, "its backing chain is longer than " + std::to_string(kMaxChainLength) +
                               " files; flatten it with 'qemu-img convert -O qcow2'");
        auto opened = open_layer(next, image_dirs, use.writable && index == 0,
                                 role(use, index, parent), parent);
        if (!seen.insert(identity(opened.fd.get())).second)
            refuse(parent, "its backing chain loops back to '" + opened.path + "'");
        const bool by_fd = opened.kind == ImageKind::File;
        out.image.chain.push_back({opened.path, opened.kind, format,
                                   by_fd ? use.fd_group + "-" + std::to_string(index) : ""});
        const int fd = opened.fd.get();
        out.fds.push_back(std::move(opened.fd));
        if (format == ImageFormat::Raw)
            return out; // raw has no header: its bytes are the guest's, never read as one
        const auto header = read_header(fd, opened.path);
        if (header.external_data_file)
            refuse(opened.path,
                   "it keeps its data in an external file '" +
                       printable(*header.data_file, kMaxShownPath) +
                       "' (qcow2 incompatible feature bit 2), which libvirt 9.0 cannot state "
                       "in the domain XML, so QEMU would open it unchecked; make the image "
                       "self-contained with 'qemu-img convert -O qcow2'");
        if (!header.backing_file)
            return out;
        format = backing_format(header, opened.path);
        next = backing_path(*header.backing_file, opened.path);
        parent = opened.path;
    }
}

} // namespace sevd::launcher
