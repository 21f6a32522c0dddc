#include "launcher/replay_domains.h"

#include "launcher/launch_error.h"

namespace sevd::launcher {

ReplayDomains::ReplayDomains(const std::filesystem::path& root)
    : uri_(root.string() + " (snapshot replay, no libvirt)"), root_(root.string()) {}

void ReplayDomains::refuse() const {
    throw LaunchError(ErrorCode::Unsupported,
                      "sevd replays the snapshot " + root_ +
                          " and has no libvirt to launch on; start `sevd serve --root DIR "
                          "--libvirt-uri URI` to launch through a live libvirt");
}

} // namespace sevd::launcher
