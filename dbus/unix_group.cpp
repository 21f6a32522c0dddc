#include "dbus/unix_group.h"

#include <algorithm>
#include <grp.h>
#include <pwd.h>
#include <unistd.h>
#include <vector>

namespace sevd::dbus {
namespace {

// getpwuid_r/getgrnam_r buffers: the size the system suggests, or 16 KiB.
size_t nss_buffer_size(int name) {
    const long suggested = sysconf(name);
    return suggested > 0 ? static_cast<size_t>(suggested) : 16384;
}

} // namespace

bool uid_in_group(uid_t uid, const std::string& group_name) {
    std::vector<char> group_buf(nss_buffer_size(_SC_GETGR_R_SIZE_MAX));
    group grp{};
    struct group* found_group = nullptr;
    if (getgrnam_r(group_name.c_str(), &grp, group_buf.data(), group_buf.size(), &found_group) !=
            0 ||
        found_group == nullptr)
        return false;
    const gid_t wanted = found_group->gr_gid;

    std::vector<char> user_buf(nss_buffer_size(_SC_GETPW_R_SIZE_MAX));
    passwd pw{};
    passwd* found_user = nullptr;
    if (getpwuid_r(uid, &pw, user_buf.data(), user_buf.size(), &found_user) != 0 ||
        found_user == nullptr)
        return false;
    if (found_user->pw_gid == wanted)
        return true;

    int count = 64;
    std::vector<gid_t> groups(static_cast<size_t>(count));
    while (getgrouplist(found_user->pw_name, found_user->pw_gid, groups.data(), &count) < 0)
        groups.resize(static_cast<size_t>(count));
    groups.resize(static_cast<size_t>(count));
    return std::find(groups.begin(), groups.end(), wanted) != groups.end();
}

} // namespace sevd::dbus
