// The <launchSecurity> of running domains, remembered between readings so a
// reading dumps the XML only of domains started since the last one (with a
// thousand guests, dumping every domain's XML on every reading was most of
// a launch's cost). Keyed by URI, UUID and domain ID: a running domain's
// definition does not change, and libvirt gives a domain a new ID each time
// it starts, so a remembered entry is always that run's. Pure; not
// thread-safe (one per reading thread).
#pragma once

#include <map>
#include <optional>
#include <string>

#include "probe/domcaps_decoder.h"
#include "probe/host_report.h"

namespace sevd::probe {

class LaunchSecurityCache {
public:
    // Starts a reading of the domains running at `uri`.
    void begin(const std::string& uri);
    std::optional<LaunchSecurityKind> find(const std::string& uuid, int id) const;
    // The remembered domain when it is encrypted and not sevd's (foreign_domain).
    std::optional<ForeignDomain> foreign(const std::string& uuid, int id) const;
    // The domain runs now (found or decoded): kept for the next reading.
    void keep(const std::string& uuid, int id, LaunchSecurityKind kind,
              std::optional<ForeignDomain> foreign = std::nullopt);
    // Ends the reading: domains it did not see are forgotten.
    void finish();

private:
    static std::string key(const std::string& uuid, int id);

    std::string uri_;
    struct Entry {
        LaunchSecurityKind kind = LaunchSecurityKind::None;
        std::optional<ForeignDomain> foreign;
    };
    std::map<std::string, Entry> seen_; // previous reading
    std::map<std::string, Entry> next_; // this reading
};

} // namespace sevd::probe
