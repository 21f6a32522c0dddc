// Where an image really is and what it is made of: each file of its chain is
// opened once beneath the image directory that holds it (image_opener.h), its
// format is the one stated (disk_format; never guessed from the bytes), and a
// qcow2 file's header is read from that descriptor to follow its backing file.
// The only launcher code besides image_opener that touches the filesystem.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/unique_fd.h"
#include "launcher/launch_request.h"

namespace sevd::launcher {

// A chain longer than this (the image and its backing files) is refused.
inline constexpr size_t kMaxChainLength = 8;

struct ImageUse {
    std::string what;     // "disk", "seed": names the image in messages
    std::string fd_group; // prefix of its descriptor groups ("disk" -> "disk-0", "disk-1", ...)
    bool writable = true; // the image itself; backing files are always read-only
};

struct OpenedImage {
    ResolvedImage image;
    std::vector<UniqueFd> fds; // fds[i] holds image.chain[i], opened once
};

// Throws LaunchError(InvalidArgument) naming the offending file and what to do:
// a file outside the image directories (move it in, or flatten the chain with
// qemu-img convert), a qcow2 header sevd cannot use, a backing file whose
// format the image does not state (qemu-img rebase -u -F), an external data
// file, a loop or a chain over kMaxChainLength.
OpenedImage open_image(const std::string& path, ImageFormat format,
                       const std::vector<std::filesystem::path>& image_dirs, const ImageUse& use);

std::string_view format_name(ImageFormat format);

} // namespace sevd::launcher
