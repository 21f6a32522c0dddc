// A LibvirtDomains that passes every call to a real one (the libvirt test
// driver) and injects what a killed or hung sevd-libvirt helper does to a
// call: its answer is lost, either before libvirt acted (LostBefore) or after
// (LostAfter), and the caller gets LaunchError(Libvirt) with an unknown
// outcome. It also plays the kernel: every define+start is checked against
// the ASIDs and locked memory that really run, and an overbooking sevd asked
// for is recorded (never refused: the test reports it).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <vector>

#include "launcher/domain_record.h"
#include "launcher/launch_error.h"
#include "launcher/libvirt_domains.h"

namespace sevd::launcher::testhost {

enum class Fault { None, LostBefore, LostAfter };
enum class Call { DefineAndStart, DestroyAndUndefine, List, Start, Shutdown };

// What the kernel would allow: per-pool ASIDs and the machine.slice limit.
struct KernelView {
    uint32_t sev_total = 0;
    uint32_t sev_es_total = 0;
    uint64_t limit_bytes = 0;    // 0: none
    uint64_t overhead_bytes = 0; // per guest beyond its RAM
};

class FaultyDomains : public LibvirtDomains {
public:
    // `kernel` is asked at each start (it may change: Apply).
    FaultyDomains(std::unique_ptr<LibvirtDomains> real, std::function<KernelView()> kernel)
        : real_(std::move(real)), kernel_(std::move(kernel)) {}

    // Decides the fault of each call (thread-safe to replace).
    void set_faults(std::function<Fault(Call)> faults) {
        std::lock_guard lock(mutex_);
        faults_ = std::move(faults);
    }
    // A reconnect as after a libvirtd restart: the caller sees a new generation.
    void bump_generation() { ++bumps_; }
    std::vector<std::string> overbookings() const {
        std::lock_guard lock(mutex_);
        return overbookings_;
    }

    const std::string& uri() const override { return real_->uri(); }
    void ensure_connected() override { real_->ensure_connected(); }
    uint64_t generation() const override { return real_->generation() + bumps_.load(); }

    std::string define_and_start(const std::string& xml, const std::vector<FdGroup>& fds) override {
        return losing(Call::DefineAndStart, "define+start", [&] {
            // The kernel hands out ASIDs one start at a time.
            std::lock_guard start(start_mutex_);
            check_kernel(parse_domain_record(xml));
            return real_->define_and_start(xml, fds);
        });
    }
    bool destroy_and_undefine(const std::string& uuid) override {
        return losing(Call::DestroyAndUndefine, "destroy+undefine",
                      [&] { return real_->destroy_and_undefine(uuid); });
    }
    bool domain_exists(const std::string& name) override { return real_->domain_exists(name); }
    std::optional<DomainRecord> find_domain(const std::string& name) override {
        if (fault_of(Call::List) != Fault::None) // a read: a plain failure
            throw LaunchError(ErrorCode::Libvirt, "injected: lookup failed (helper killed)");
        return real_->find_domain(name);
    }
    std::vector<DomainRecord> list_encrypted_running() override {
        if (fault_of(Call::List) != Fault::None) // a read: a plain failure
            throw LaunchError(ErrorCode::Libvirt, "injected: listing failed (helper killed)");
        return real_->list_encrypted_running();
    }
    std::vector<DomainRecord> list_sevd_domains() override {
        if (fault_of(Call::List) != Fault::None) // a read: a plain failure
            throw LaunchError(ErrorCode::Libvirt, "injected: listing failed (helper killed)");
        return real_->list_sevd_domains();
    }
    void start(const std::string& name, const std::vector<FdGroup>& fds) override {
        losing(Call::Start, "start", [&] {
            std::lock_guard start(start_mutex_);
            if (const auto record = real_->find_domain(name))
                check_kernel(*record);
            real_->start(name, fds);
        });
    }
    void shutdown(const std::string& name) override {
        losing(Call::Shutdown, "shutdown", [&] { real_->shutdown(name); });
    }
    // Attestation passes through unchanged (no fault of its own here).
    std::string define_and_start_paused(const std::string& xml,
                                        const std::vector<FdGroup>& fds) override {
        return real_->define_and_start_paused(xml, fds);
    }
    SevCertificates sev_certificates() override { return real_->sev_certificates(); }
    LaunchMeasurement launch_measurement(const std::string& name) override {
        return real_->launch_measurement(name);
    }
    void inject_launch_secret(const std::string& name, const LaunchSecret& secret) override {
        real_->inject_launch_secret(name, secret);
    }
    void resume(const std::string& name) override { real_->resume(name); }

private:
    // Called without the lock: a test's fault function may block (a launch
    // held in flight) while other calls go on.
    Fault fault_of(Call call) {
        std::function<Fault(Call)> faults;
        {
            std::lock_guard lock(mutex_);
            faults = faults_;
        }
        return faults ? faults(call) : Fault::None;
    }
    // Runs a change with the fault drawn for `call`: the answer lost before
    // libvirt acts (nothing happens) or after (it happened, unseen).
    template <typename Change>
    std::invoke_result_t<Change&> losing(Call call, const char* what, Change&& change) {
        const auto fault = fault_of(call);
        if (fault == Fault::LostBefore)
            lose(what);
        if constexpr (std::is_void_v<std::invoke_result_t<Change&>>) {
            change();
            if (fault == Fault::LostAfter)
                lose(what);
        } else {
            auto result = change();
            if (fault == Fault::LostAfter)
                lose(what);
            return result;
        }
    }
    [[noreturn]] static void lose(const char* what) {
        throw LaunchError(ErrorCode::Libvirt,
                          std::string("injected: sevd-libvirt killed during ") + what,
                          Outcome::Unknown);
    }

    // Real usage (what libvirt runs) plus this one.
    void check_kernel(const DomainRecord& claim) {
        const auto kernel = kernel_();
        const auto running = real_->list_encrypted_running();
        std::lock_guard lock(mutex_);
        uint32_t sev = 0;
        uint32_t es = 0;
        uint64_t locked = 0;
        auto count = [&](const DomainRecord& d) {
            ++(*d.pool == EncryptionModel::Sev ? sev : es);
            locked += d.memory_mib * (1024 * 1024) + kernel.overhead_bytes;
        };
        for (const auto& d : running)
            count(d);
        count(claim);
        if (sev > kernel.sev_total || es > kernel.sev_es_total)
            overbookings_.push_back("ASIDs: starting '" + claim.name + "' makes " +
                                    std::to_string(sev) + " SEV / " + std::to_string(es) +
                                    " SEV-ES guests");
        if (kernel.limit_bytes != 0 && locked > kernel.limit_bytes)
            overbookings_.push_back("memory: starting '" + claim.name + "' locks " +
                                    std::to_string(locked >> 20) + " MiB over the " +
                                    std::to_string(kernel.limit_bytes >> 20) + " MiB limit");
    }
    std::unique_ptr<LibvirtDomains> real_;
    std::function<KernelView()> kernel_;
    mutable std::mutex mutex_;
    std::function<Fault(Call)> faults_;
    std::mutex start_mutex_;
    std::vector<std::string> overbookings_;
    std::atomic<uint64_t> bumps_{0};
};

} // namespace sevd::launcher::testhost
