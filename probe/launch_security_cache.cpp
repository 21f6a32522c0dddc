#include "probe/launch_security_cache.h"

namespace sevd::probe {

std::string LaunchSecurityCache::key(const std::string& uuid, int id) {
    return uuid + "/" + std::to_string(id);
}

void LaunchSecurityCache::begin(const std::string& uri) {
    if (uri != uri_)
        seen_.clear();
    uri_ = uri;
    next_.clear();
}

std::optional<LaunchSecurityKind> LaunchSecurityCache::find(const std::string& uuid, int id) const {
    const auto found = seen_.find(key(uuid, id));
    if (found == seen_.end())
        return std::nullopt;
    return found->second.kind;
}

std::optional<ForeignDomain> LaunchSecurityCache::foreign(const std::string& uuid, int id) const {
    const auto found = seen_.find(key(uuid, id));
    if (found == seen_.end())
        return std::nullopt;
    return found->second.foreign;
}

void LaunchSecurityCache::keep(const std::string& uuid, int id, LaunchSecurityKind kind,
                               std::optional<ForeignDomain> foreign) {
    next_[key(uuid, id)] = {kind, std::move(foreign)};
}

void LaunchSecurityCache::finish() {
    seen_.swap(next_);
    next_.clear();
}

} // namespace sevd::probe
