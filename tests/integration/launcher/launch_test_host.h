// Shared set-up for the launcher's integration tests: an image directory
// with a disk in it, and host reports of an SEV host with chosen capacities.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include "config/config.h"
#include "probe/host_report.h"

namespace sevd::launcher::testhost {

// EPYC host with SEV-ES ASIDs (min SEV ASID raised in the BIOS), both models
// launchable, C-bit 47; QEMU's reducedPhysBits 1 as libvirt reports it; 64 GiB MemTotal.
inline probe::HostReport sev_host(uint32_t sev_total, uint32_t sev_es_total) {
    probe::HostReport r;
    r.cpu.vendor = "AuthenticAMD";
    r.cpu.leaf_present = r.cpu.sev = r.cpu.sev_es = true;
    r.cpu.cbitpos = 47;
    r.cpu.reduced_phys_bits = 5;
    r.cpu.max_asid = 509;
    r.cpu.min_sev_asid = 100;
    r.kernel.module_loaded = r.kernel.sev = r.kernel.sev_es = true;
    r.libvirt.available = r.libvirt.sev = true;
    r.libvirt.cbitpos = 47;
    r.libvirt.reduced_phys_bits = 1;
    r.mem_total_bytes = 64ull << 30;
    r.sev_slots = {sev_total, 0};
    r.sev_es_slots = {sev_es_total, 0};
    r.models = {EncryptionModel::Sev, EncryptionModel::SevEs};
    r.ready = true;
    return r;
}

// A temporary image directory holding disk.img; removed on destruction.
class ImageDir {
public:
    explicit ImageDir(const std::string& tag) {
        path_ = std::filesystem::temp_directory_path() /
                ("sevd-" + tag + "-" + std::to_string(getpid()));
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
        std::ofstream(disk()) << "raw disk";
    }
    ~ImageDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    const std::filesystem::path& path() const { return path_; }
    std::string disk() const { return (path_ / "disk.img").string(); }

    config::Config config(const std::string& uri) const {
        config::Config c;
        c.libvirt_uri = uri;
        c.image_dirs = {path_};
        return c;
    }

private:
    std::filesystem::path path_;
};

} // namespace sevd::launcher::testhost
