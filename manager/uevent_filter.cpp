#include "manager/uevent_filter.h"

namespace sevd::manager {

bool is_relevant_uevent(std::string_view subsystem, std::string_view sysname) {
    if (subsystem == "misc")
        return sysname == "sev" || sysname == "kvm";
    if (subsystem == "module")
        return sysname == "kvm_amd" || sysname == "ccp";
    return false;
}

} // namespace sevd::manager
