// A Unix group that exists for the object's lifetime: an existing group is
// used as it is; a missing one is created (groupadd --system, needs root) and
// deleted again (groupdel) by the destructor. For bus policies that name a
// group (dbus-daemon resolves group names when it loads its configuration, so
// create the group before the bus).
#pragma once

#include <string>
#include <sys/types.h>

namespace sevd::test {

class ScopedGroup {
public:
    // Throws std::runtime_error with groupadd's output when it cannot create it.
    explicit ScopedGroup(std::string name);
    ~ScopedGroup();
    ScopedGroup(const ScopedGroup&) = delete;
    ScopedGroup& operator=(const ScopedGroup&) = delete;

    gid_t gid() const { return gid_; }
    bool created() const { return created_; }

private:
    std::string name_;
    gid_t gid_ = 0;
    bool created_ = false;
};

} // namespace sevd::test
