// Group membership from the user and group databases (NSS), for callers whose
// uid came from the bus.
#pragma once

#include <string>
#include <sys/types.h>

namespace sevd::dbus {

// True when `uid`'s primary or supplementary groups (getgrouplist) include
// `group_name`. False when the group or the user does not exist.
bool uid_in_group(uid_t uid, const std::string& group_name);

} // namespace sevd::dbus
