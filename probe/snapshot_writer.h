// `sevd capture DIR`: writes the live host's sources in the snapshot format
// (DESIGN.md, plus dev/kvm and proc/self/limits) so `--root DIR` replays them.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "probe/host_facts.h"

namespace sevd::probe {

struct CaptureResult {
    std::vector<std::filesystem::path> written; // relative to DIR
    std::vector<std::string> notes;             // sources absent or unreadable on this host
};

// What libvirt said at capture time (libvirt::capture_libvirt reads it):
// recorded in libvirt/state.json, its domain capabilities beside it when
// libvirt answered.
struct LibvirtCapture {
    LibvirtFacts facts;
    std::optional<std::string> domcaps_xml;
};
using LibvirtCapturer = std::function<LibvirtCapture()>;

// DIR must not exist or be empty (stale files would mislead). Throws
// std::runtime_error / std::system_error naming the path on I/O errors.
// `read_libvirt` empty = do not record libvirt (no libvirt/ files); it runs
// once the host's own files are written.
CaptureResult capture_snapshot(const std::filesystem::path& dir,
                               const LibvirtCapturer& read_libvirt);

} // namespace sevd::probe
