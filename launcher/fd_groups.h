// The descriptors a domain's <source fdgroup='...'> elements name. libvirt
// (since 9.0) takes them with virDomainFDAssociate before the start, so it
// opens none of those files by name.
#pragma once

#include <string>
#include <vector>

namespace sevd::launcher {

// One descriptor, borrowed: its owner keeps it open until libvirt has it.
struct FdGroup {
    std::string name;
    int fd = -1;
};

// The domain XML without fdgroup attributes, for a driver that opens no
// image at all (libvirt's test driver, which also refuses fdgroup). Pure;
// throws std::runtime_error when the text is not XML.
std::string without_fd_groups(const std::string& domain_xml);

} // namespace sevd::launcher
