// What sevd needs to know about a domain libvirt runs, read from its XML:
// whether it is encrypted (which ASID pool it holds), its locked memory, and
// whether sevd launched it. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "launcher/launch_request.h"
#include "probe/encryption_model.h"

namespace sevd::launcher {

// A disk of the domain as its XML states it: the chain with each file's
// format and fd group (what Start opens and hands libvirt again).
struct RecordedDisk {
    ResolvedImage image;
    bool read_only = false;
    bool operator==(const RecordedDisk&) const = default;
};

struct DomainRecord {
    std::string name;
    std::string uuid;
    std::optional<EncryptionModel> pool; // ASID pool held; nullopt: not encrypted
    uint32_t policy = 0;
    uint64_t memory_mib = 0;  // <memory>, rounded up to whole MiB; meaningful when memory_known
    bool memory_known = true; // false: <memory> unreadable (counted as filling the limit)
    bool launched_by_sevd = false; // carries sevd's <metadata> mark
    bool active = false;           // running (or paused); set by the reader, not the XML
    // sevd's mark says: launched for attestation, not resumed by sevd yet.
    bool attestation_pending = false;
    // Paused; read (by the reader, not the XML) only when attestation_pending.
    bool paused = false;
    std::vector<RecordedDisk> disks; // file and block disks, in XML order
};

// Throws std::runtime_error when the XML is not a domain.
// The pool is probe::asid_pool's (the rule probe, cgroups and the launcher
// share); the memory probe::domain_memory_bytes'.
DomainRecord parse_domain_record(const std::string& domain_xml);

} // namespace sevd::launcher
