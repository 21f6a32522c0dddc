// The sevd daemon: owns the probe state and decides when to re-probe (start,
// Refresh, uevents, libvirt coming and going, SIGHUP); the bus objects only
// serve what it publishes. One instance per process, driven by MainLoop.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <sdbus-c++/sdbus-c++.h>

#include "cgroups/memory_limit_tuner.h"
#include "common/worker_pool.h"
#include "config/config.h"
#include "dbus/authorizer.h"
#include "dbus/daemon_options.h"
#include "dbus/export_scheduler.h"
#include "dbus/host_object.h"
#include "dbus/launcher_object.h"
#include "dbus/libvirt_watcher.h"
#include "dbus/main_loop.h"
#include "dbus/refresh_coalescer.h"
#include "dbus/signal_fd.h"
#include "dbus/tuning_object.h"
#include "dbus/udev_watcher.h"
#include "export/launch_stats.h"
#include "launcher/launcher.h"
#include "libvirt_helper/helper_link.h"
#include "probe/host_facts.h"
#include "probe/host_report.h"

namespace sevd::dbus {

class Daemon {
public:
    // Loads the configuration and probes the host (no libvirt yet). Throws
    // config::ConfigError.
    explicit Daemon(DaemonOptions options);
    ~Daemon();
    Daemon(const Daemon&) = delete;
    Daemon& operator=(const Daemon&) = delete;

    // Connects, publishes the objects, takes the bus name, then serves until
    // SIGTERM/SIGINT. Returns the exit code (see run_daemon).
    int run();

private:
    std::string libvirt_uri() const;
    bool replay_only() const; // --root without --libvirt-uri: libvirt from the snapshot
    void recheck_libvirt();
    std::string machine_type() const; // for the watcher's thread
    void connect_bus();
    void start_libvirt_link();
    void on_libvirt_connection_closed(const std::string& reason);
    void publish_objects();
    void start_watchers();
    void on_signal();
    void reload_config();
    void on_uevent();
    void on_refresh(sdbus::Result<> reply);
    void refresh_now();
    void reprobe_host();
    void on_libvirt_facts(probe::LibvirtFacts facts);
    void publish_report();
    TuningState read_tuning_state();
    void publish_tuning();
    void apply_tuning(sdbus::Result<uint64_t> result);
    std::shared_ptr<launcher::Launcher> make_launcher();
    void resync_launcher();
    void on_guests_changed();
    // The one notification point for the fleet exports: the report, the
    // ledger or the limit changed (they are rewritten shortly after).
    void state_changed();
    exports::ExportValues export_values() const;
    exports::ExportPaths export_paths() const;

    DaemonOptions options_;
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
    std::vector<sdbus::Result<>> refresh_waiting_; // Refresh() calls the next re-probe answers

    std::unique_ptr<sdbus::IConnection> bus_;
    // Blocking work (libvirt, cgroup writes); its jobs post back into loop_.
    std::unique_ptr<WorkerPool> workers_;
    // libvirt's lifecycle events, one at a time in libvirt's order: a STARTED
    // handled after the STOPPED that followed it would count a stopped guest.
    std::unique_ptr<WorkerPool> event_lane_;
    std::unique_ptr<Authorizer> authorizer_;
    std::unique_ptr<HostObject> host_object_;

    std::mutex tuner_mutex_; // the tuner is used from worker threads
    std::unique_ptr<cgroups::MemoryLimitTuner> tuner_;
    std::string tuner_error_; // why there is no tuner
    std::unique_ptr<TuningObject> tuning_object_;
    // Every libvirt call (the launcher's, the watcher's readings) goes
    // through the sevd-libvirt helper: libvirt is never loaded here. Its
    // events (a guest stopped, the connection closed) are posted to loop_.
    // Declared before the launcher, whose LibvirtDomains use it.
    std::unique_ptr<libvirt_helper::HelperLink> libvirt_link_;
    exports::LaunchStats launch_stats_; // before the launcher object, which records in it
    std::unique_ptr<LauncherObject> launcher_object_;
    std::unique_ptr<ExportScheduler> exports_;

    bool reprobe_pending_ = false;
    bool libvirt_recheck_pending_ = false; // on_guests_changed's reading is scheduled
    // Last: its thread posts into the loop and uses the members above.
    std::unique_ptr<LibvirtWatcher> libvirt_;
};

} // namespace sevd::dbus
