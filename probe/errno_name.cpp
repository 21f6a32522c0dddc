#include "probe/errno_name.h"

#include <array>
#include <cerrno>
#include <utility>

namespace sevd::probe {
namespace {

// The errors open()/ioctl() on /dev/sev can return.
constexpr std::array<std::pair<int, std::string_view>, 14> kNames = {{
    {EPERM, "EPERM"},
    {ENOENT, "ENOENT"},
    {EIO, "EIO"},
    {ENXIO, "ENXIO"},
    {EAGAIN, "EAGAIN"},
    {ENOMEM, "ENOMEM"},
    {EACCES, "EACCES"},
    {EFAULT, "EFAULT"},
    {EBUSY, "EBUSY"},
    {ENODEV, "ENODEV"},
    {EINVAL, "EINVAL"},
    {ENOTTY, "ENOTTY"},
    {EOPNOTSUPP, "EOPNOTSUPP"},
    {ETIMEDOUT, "ETIMEDOUT"},
}};

} // namespace

std::string errno_name(int error_number) {
    for (const auto& [number, name] : kNames)
        if (number == error_number)
            return std::string(name);
    return "errno " + std::to_string(error_number);
}

std::optional<int> errno_from_name(std::string_view name) {
    for (const auto& [number, known] : kNames)
        if (known == name)
            return number;
    return std::nullopt;
}

} // namespace sevd::probe
