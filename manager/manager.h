// The daemon's manager (what oomd-manager.c is to systemd-oomd): owns the
// probe state and decides when to re-probe (start, Refresh, uevents, libvirt
// coming and going, SIGHUP), when to re-read libvirt's guests, what the
// exports show. Launcher1's and Tuning1's behaviour are its GuestManager's and
// TuningManager's. dbus/ only serves what it announces. Loop thread only,
// one instance per process.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "export/launch_stats.h"
#include "libvirt_helper/helper_link.h"
#include "manager/announcer.h"
#include "manager/coalesced_task.h"
#include "manager/export_scheduler.h"
#include "manager/guest_manager.h"
#include "manager/libvirt_watcher.h"
#include "manager/main_loop.h"
#include "manager/manager_options.h"
#include "manager/outcome.h"
#include "manager/refresh_coalescer.h"
#include "manager/signal_fd.h"
#include "manager/tuning_manager.h"
#include "manager/tuning_state.h"
#include "manager/udev_watcher.h"
#include "probe/host_facts.h"
#include "probe/host_report.h"

namespace sevd::manager {

class Manager {
public:
    // Loads the configuration and probes the host (no libvirt yet). Throws
    // config::ConfigError.
    explicit Manager(ManagerOptions options);
    ~Manager();
    Manager(const Manager&) = delete;
    Manager& operator=(const Manager&) = delete;

    MainLoop& loop() { return loop_; }
    // Starts the libvirt link, the launcher, the tuner and the threads. From
    // here on what changes goes to `announcer`, which must outlive this.
    void prepare(Announcer& announcer);
    // Starts watching signals, uevents and libvirt, then serves until
    // SIGTERM/SIGINT. Returns the exit code (0).
    int run();

    const probe::HostReport& report() const { return report_; }
    const TuningState& tuning_state() const { return tuning_state_; }
    GuestManager& guests() { return *guests_; }
    // Host1.Refresh: `answered` runs once a re-probe that started after this
    // call is published (callers in a burst share one).
    void refresh(std::function<void()> answered);
    // Tuning1.Apply: `then` gets the limit now in force.
    void apply_tuning(Then<uint64_t> then);
    // "root …, libvirt …", for the serving message.
    std::string describe_sources() const;

private:
    std::string libvirt_uri() const;
    bool replay_only() const;         // --root without --libvirt-uri: libvirt from the snapshot
    std::string machine_type() const; // for the watcher's thread
    void start_libvirt_link();
    void on_libvirt_connection_closed(const std::string& reason);
    std::shared_ptr<launcher::Launcher> make_launcher();
    void start_watchers();
    void recheck_libvirt();
    void on_signal();
    void reload_config();
    void on_uevent();
    void refresh_now();
    void reprobe_host();
    void on_libvirt_facts(probe::LibvirtFacts facts);
    void publish_report();
    void publish_tuning();
    void resync_guests();
    void on_slots_moved();
    // The one notification point for the fleet exports: the report, the
    // ledger or the limit changed (they are rewritten shortly after).
    void state_changed();
    exports::ExportValues export_values() const;
    exports::ExportPaths export_paths() const;

    ManagerOptions options_;
    config::Config config_;
    MainLoop loop_;
    SignalFd signals_; // before any thread starts, so every thread inherits the mask
    // Listening before the first probe: a device or module change during
    // start-up, or right after the name appears, is never lost. Null when the
    // netlink monitor cannot be opened (changes are then seen on Refresh()).
    std::unique_ptr<UdevWatcher> udev_;

    probe::HostFacts host_facts_;
    // config_.machine_type, for the libvirt watcher's thread (config_ is the loop's).
    mutable std::mutex machine_type_mutex_;
    std::string machine_type_;
    std::optional<probe::LibvirtFacts> libvirt_facts_;
    std::chrono::steady_clock::time_point last_resync_; // the last full re-read of libvirt
    probe::HostReport report_;
    std::chrono::system_clock::time_point report_time_; // when report_ was built
    RefreshCoalescer refresh_coalescer_;
    std::vector<std::function<void()>> refresh_waiting_; // answered by the next re-probe
    TuningState tuning_state_;
    Announcer* announcer_ = nullptr; // from prepare()

    // Blocking work (libvirt, cgroup writes); its jobs post back into loop_.
    std::unique_ptr<WorkerPool> workers_;
    // Every libvirt call (the launcher's, the watcher's readings) goes
    // through the sevd-libvirt helper: libvirt is never loaded here. Its
    // events (a guest stopped, the connection closed) are posted to loop_.
    // Declared before the launcher, whose LibvirtDomains use it.
    std::unique_ptr<libvirt_helper::HelperLink> libvirt_link_;
    exports::LaunchStats launch_stats_; // before the guests, which record in it
    std::unique_ptr<GuestManager> guests_;
    std::unique_ptr<TuningManager> tuning_;
    std::unique_ptr<ExportScheduler> exports_;

    CoalescedTask uevent_reprobe_;  // a burst of uevents: one re-probe
    CoalescedTask libvirt_recheck_; // a burst of launches: one listing of libvirt's domains
    // A failed re-sync: libvirt is read again shortly, and the re-sync the
    // launcher then owes (needs_resync) runs once it answers.
    CoalescedTask resync_retry_;
    // Last: its thread posts into the loop and uses the members above.
    std::unique_ptr<LibvirtWatcher> libvirt_;
};

} // namespace sevd::manager
