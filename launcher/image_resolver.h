// Where a boot disk really is: the path after every symlink, which must lie
// inside one of the configured image directories, and what it holds. Reads
// the filesystem (the only launcher check that does).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "launcher/launch_request.h"

namespace sevd::launcher {

// Throws LaunchError(InvalidArgument) when the path does not exist, resolves
// outside every image directory, or is neither a regular file nor a block
// device. The format is qcow2 when the file starts with the qcow2 magic,
// else raw (libvirt never probes formats, so sevd states it).
ResolvedImage resolve_image(const std::string& disk,
                            const std::vector<std::filesystem::path>& image_dirs);

} // namespace sevd::launcher
