#include "tests/support/scoped_group.h"

#include <grp.h>
#include <optional>
#include <stdexcept>

#include "tests/support/child_process.h"

namespace sevd::test {
namespace {

std::optional<gid_t> group_id(const std::string& name) {
    const group* found = getgrnam(name.c_str());
    if (found == nullptr)
        return std::nullopt;
    return found->gr_gid;
}

} // namespace

ScopedGroup::ScopedGroup(std::string name) : name_(std::move(name)) {
    if (const auto existing = group_id(name_)) {
        gid_ = *existing;
        return;
    }
    const auto added = run_command({"groupadd", "--system", name_});
    const auto created = group_id(name_);
    if (added.exit_code != 0 || !created)
        throw std::runtime_error("cannot create group " + name_ +
                                 " (groupadd needs root): " + added.output);
    gid_ = *created;
    created_ = true;
}

ScopedGroup::~ScopedGroup() {
    if (created_)
        run_command({"groupdel", name_});
}

} // namespace sevd::test
