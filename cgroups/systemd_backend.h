// Reads and writes the slice's memory limit through systemd
// (org.freedesktop.systemd1.Manager.SetUnitProperties, MemoryMax), so systemd,
// which owns the slice's cgroup, keeps the limit instead of undoing it.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include <sdbus-c++/sdbus-c++.h>

#include "cgroups/limit_backend.h"

namespace sevd::cgroups {

// systemd is PID 1 and so manages machine.slice (it creates the slice for VMs
// and containers): root/run/systemd/system exists (sd_booted()'s test) and
// root/proc/1/comm is "systemd".
bool systemd_manages_slices(const std::filesystem::path& root);

// The cgroup version of the hierarchy mounted at root/sys/fs/cgroup (2 when it
// is a cgroup2 mount, 1 otherwise).
int host_cgroup_version(const std::filesystem::path& root);

class SystemdBackend : public LimitBackend {
public:
    // `bus` reaches systemd (the system bus; sdbus::createSystemBusConnection()
    // honours DBUS_SYSTEM_BUS_ADDRESS). `cgroup_version` is only reported.
    SystemdBackend(std::unique_ptr<sdbus::IConnection> bus, std::string unit, int cgroup_version);

    LimitInForce read() override;
    void write(uint64_t limit_bytes) override;
    std::string describe_write(uint64_t limit_bytes) const override;

private:
    sdbus::ObjectPath unit_object_path();

    std::unique_ptr<sdbus::IConnection> bus_;
    std::unique_ptr<sdbus::IProxy> manager_;
    std::string unit_;
    int cgroup_version_;
};

} // namespace sevd::cgroups
