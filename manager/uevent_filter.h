// Which kernel uevents can change the probe report: the SEV firmware device
// (misc "sev", from the ccp driver), KVM (misc "kvm") and the modules that
// provide them (kvm_amd, ccp). Pure.
#pragma once

#include <string_view>

namespace sevd::manager {

bool is_relevant_uevent(std::string_view subsystem, std::string_view sysname);

} // namespace sevd::manager
