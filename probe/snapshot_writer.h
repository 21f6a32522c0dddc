// `sevd capture DIR`: writes the live host's sources in the snapshot format
// (DESIGN.md, plus dev/kvm and proc/self/limits) so `--root DIR` replays them.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace sevd::probe {

struct CaptureResult {
    std::vector<std::filesystem::path> written; // relative to DIR
    std::vector<std::string> notes;             // sources absent or unreadable on this host
};

// DIR must not exist or be empty (stale files would mislead). Throws
// std::runtime_error / std::system_error naming the path on I/O errors.
// libvirt_uri nullopt = do not record libvirt (no libvirt/ files); else
// libvirt/state.json always, and libvirt/domcapabilities.xml for
// `machine_type` when libvirt answered.
CaptureResult capture_snapshot(const std::filesystem::path& dir,
                               const std::optional<std::string>& libvirt_uri,
                               const std::string& machine_type = "q35");

} // namespace sevd::probe
