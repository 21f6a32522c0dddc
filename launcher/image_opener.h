// Opens one image file beneath the image directory that holds it, once, and
// keeps the descriptor: every later check reads that descriptor, and libvirt
// is given it, so a rename or symlink swap after the check changes nothing.
// The path is resolved with openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS)
// from the image directory (an O_NOFOLLOW walk, component by component, where
// openat2 is missing): a symlink that appears after the path was resolved
// makes the open fail instead of leading elsewhere.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/unique_fd.h"
#include "launcher/launch_request.h"

namespace sevd::launcher {

struct OpenedFile {
    UniqueFd fd;
    std::string path; // canonical, read back from the descriptor
    ImageKind kind = ImageKind::File;
};

// `what` names the file in messages ("disk", "backing file of ...").
// Throws LaunchError(InvalidArgument) when the path does not resolve, lies
// outside every image directory, changes while it is opened, cannot be opened
// (the message says why and what to do) or is neither a regular file nor a
// block device. `writable`: O_RDWR, else O_RDONLY.
OpenedFile open_beneath(const std::string& path, const std::vector<std::filesystem::path>& dirs,
                        bool writable, const std::string& what);

// "dir1:dir2" for messages.
std::string image_dirs_text(const std::vector<std::filesystem::path>& dirs);

} // namespace sevd::launcher
