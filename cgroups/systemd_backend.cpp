#include "cgroups/systemd_backend.h"

#include <fstream>
#include <linux/magic.h>
#include <sys/vfs.h>

#include "cgroups/tune_error.h"

namespace sevd::cgroups {
namespace {

constexpr const char* kSystemdService = "org.freedesktop.systemd1";
constexpr const char* kManagerPath = "/org/freedesktop/systemd1";
constexpr const char* kManagerInterface = "org.freedesktop.systemd1.Manager";
constexpr const char* kSliceInterface = "org.freedesktop.systemd1.Slice";
constexpr const char* kMemoryMax = "MemoryMax";
constexpr uint64_t kSystemdInfinity = UINT64_MAX; // MemoryMax=infinity on the bus
// Runtime properties live under /run and survive daemon-reload; sevd-tune.service
// sets them again at every boot, so nothing is written under /etc.
constexpr bool kRuntimeOnly = true;

[[noreturn]] void fail_bus(const std::string& what, const sdbus::Error& error) {
    throw TuneError(TuneError::Kind::Io, what + ": " + error.getName() + ": " + error.getMessage(),
                    "check that systemd is running and that sevd runs as root");
}

} // namespace

bool systemd_manages_slices(const std::filesystem::path& root) {
    std::error_code ec;
    if (!std::filesystem::is_directory(root / "run/systemd/system", ec))
        return false;
    std::ifstream comm(root / "proc/1/comm");
    std::string pid1;
    std::getline(comm, pid1);
    return pid1 == "systemd";
}

int host_cgroup_version(const std::filesystem::path& root) {
    struct statfs info {};
    const auto mount = root / "sys/fs/cgroup";
    if (statfs(mount.c_str(), &info) != 0)
        return 1;
    return info.f_type == CGROUP2_SUPER_MAGIC ? 2 : 1;
}

SystemdBackend::SystemdBackend(std::unique_ptr<sdbus::IConnection> bus, std::string unit,
                               int cgroup_version)
    : bus_(std::move(bus)), unit_(std::move(unit)), cgroup_version_(cgroup_version) {
    manager_ = sdbus::createProxy(*bus_, kSystemdService, kManagerPath);
}

sdbus::ObjectPath SystemdBackend::unit_object_path() {
    // LoadUnit (unlike GetUnit) also answers for a slice no VM has started yet.
    sdbus::ObjectPath path;
    try {
        manager_->callMethod("LoadUnit")
            .onInterface(kManagerInterface)
            .withArguments(unit_)
            .storeResultsTo(path);
    } catch (const sdbus::Error& e) {
        fail_bus("systemd could not load " + unit_, e);
    }
    return path;
}

LimitInForce SystemdBackend::read() {
    const auto path = unit_object_path();
    uint64_t memory_max = kSystemdInfinity;
    try {
        const auto unit = sdbus::createProxy(*bus_, kSystemdService, path);
        memory_max = unit->getProperty(kMemoryMax).onInterface(kSliceInterface).get<uint64_t>();
    } catch (const sdbus::Error& e) {
        fail_bus("cannot read " + std::string(kMemoryMax) + " of " + unit_, e);
    }
    return {memory_max == kSystemdInfinity ? 0 : memory_max, kSourceSystemd, cgroup_version_,
            "unit " + unit_};
}

void SystemdBackend::write(uint64_t limit_bytes) {
    const uint64_t value = limit_bytes == 0 ? kSystemdInfinity : limit_bytes;
    std::vector<sdbus::Struct<std::string, sdbus::Variant>> properties{
        {std::string(kMemoryMax), sdbus::Variant(value)}};
    try {
        manager_->callMethod("SetUnitProperties")
            .onInterface(kManagerInterface)
            .withArguments(unit_, kRuntimeOnly, properties);
    } catch (const sdbus::Error& e) {
        fail_bus("systemd refused " + std::string(kMemoryMax) + " on " + unit_, e);
    }
}

std::string SystemdBackend::describe_write(uint64_t limit_bytes) const {
    return "set " + std::string(kMemoryMax) + "=" +
           (limit_bytes == 0 ? std::string("infinity") : std::to_string(limit_bytes)) + " on " +
           unit_ + " through systemd";
}

} // namespace sevd::cgroups
