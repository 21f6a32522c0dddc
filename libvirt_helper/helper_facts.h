// read_libvirt_facts for the daemon: what needs no connection (a snapshot's
// domain capabilities) is read here, the rest by the sevd-libvirt helper.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>

#include "libvirt_helper/call_limits.h"
#include "libvirt_helper/helper_link.h"
#include "probe/host_facts.h"

namespace sevd::libvirt_helper {

// Never throws: a helper that cannot answer is an unreachable libvirt whose
// connect_error says why.
probe::LibvirtFacts read_facts_through(HelperLink& link, const std::filesystem::path& root,
                                       const std::string& uri, const std::string& machine_type);

} // namespace sevd::libvirt_helper
