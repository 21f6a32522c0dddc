#include "dbus/daemon.h"

#include <algorithm>
#include <chrono>

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include "cgroups/limit_plan.h"
#include "common/logging.h"
#include "common/size_units.h"
#include "dbus/bus_error.h"
#include "dbus/bus_names.h"
#include "export/ledger_counts.h"
#include "launcher/replay_domains.h"
#include "libvirt_helper/helper_domains.h"
#include "libvirt_helper/helper_facts.h"
#include "probe/prober.h"

namespace sevd::dbus {
namespace {

// A burst of changes (uevents, a fleet's launches) shares one re-reading.
constexpr std::chrono::milliseconds kBurstCoalesceDelay{200};
constexpr unsigned kWorkerThreads = 2;
// Between full re-reads of libvirt's domains (what no event reported): the
// watcher's periodic reading while connected.
constexpr std::chrono::seconds kResyncPeriod{30};
// At most one Refresh() re-probe starts per interval (org.sevd.Host1.xml says 250 ms).
constexpr std::chrono::milliseconds kRefreshInterval{250};

const char* bus_label(BusKind bus) {
    return bus == BusKind::System ? "system" : "session";
}

// Until the first libvirt reading arrives the report says libvirt is pending.
probe::LibvirtFacts pending_libvirt(const std::string& uri) {
    probe::LibvirtFacts facts;
    facts.uri = uri;
    facts.connect_error = "not connected yet (connecting in the background)";
    return facts;
}

std::unique_ptr<UdevWatcher> open_uevent_monitor() {
    try {
        return std::make_unique<UdevWatcher>();
    } catch (const std::runtime_error& e) {
        spdlog::warn("{}; device and module changes will be seen on Refresh() only", e.what());
        return nullptr;
    }
}

} // namespace

Daemon::Daemon(DaemonOptions options)
    : options_(std::move(options)), config_(config::load_config(options_.config_path)),
      udev_(open_uevent_monitor()), host_facts_(probe::read_host_facts(options_.root)),
      machine_type_(config_.machine_type),
      libvirt_facts_(replay_only() ? probe::snapshot_libvirt_facts(options_.root)
                                   : pending_libvirt(libvirt_uri())),
      report_(probe::build_report(host_facts_, libvirt_facts_, config_.max_encrypted_guests)),
      report_time_(std::chrono::system_clock::now()), refresh_coalescer_(kRefreshInterval) {}

Daemon::~Daemon() {
    // Unanswered Refresh() calls hold messages of bus_, which goes first.
    refresh_waiting_.clear();
    // The helper first: calls under way fail at once instead of holding up
    // the threads below. Then the threads: their jobs use the members below.
    if (libvirt_link_)
        libvirt_link_->stop();
    libvirt_.reset();
    event_lane_.reset();
    workers_.reset();
}

std::string Daemon::libvirt_uri() const {
    return options_.libvirt_uri.value_or(config_.libvirt_uri);
}

// DESIGN.md: a snapshot replays alone; a live libvirt only when asked for.
bool Daemon::replay_only() const {
    return probe::choose_libvirt_source(options_.root, false, options_.libvirt_uri.has_value()) ==
           probe::LibvirtSource::Snapshot;
}

int Daemon::run() {
    try {
        connect_bus();
    } catch (const sdbus::Error& e) {
        spdlog::error("cannot connect to the {} bus: {} (is dbus-daemon running? "
                      "DBUS_SYSTEM_BUS_ADDRESS / DBUS_SESSION_BUS_ADDRESS say where)",
                      bus_label(options_.bus), e.getMessage());
        return 1;
    }
    start_libvirt_link();
    publish_objects();
    try {
        bus_->requestName(kBusName);
    } catch (const sdbus::Error& e) {
        spdlog::error("cannot own {} on the {} bus: {} (another sevd is running, or the bus "
                      "policy units/org.sevd.Host1.conf is not installed)",
                      kBusName, bus_label(options_.bus), e.getMessage());
        return 1;
    }
    start_watchers();
    spdlog::info("serving {} on the {} bus (root {}, libvirt {})", kBusName,
                 bus_label(options_.bus), options_.root.string(),
                 replay_only() ? "recorded in the snapshot" : libvirt_uri());
    sd_notify(0, "READY=1\nSTATUS=Serving org.sevd.Host1");
    const int code = loop_.run();
    sd_notify(0, "STOPPING=1");
    return code;
}

void Daemon::connect_bus() {
    bus_ = options_.bus == BusKind::System ? sdbus::createSystemBusConnection()
                                           : sdbus::createSessionBusConnection();
    loop_.attach_bus(*bus_);
}

// The helper starts with the first libvirt call (the watcher's first
// reading), so start-up never waits for it. Its events arrive on the link's
// reader thread: they only post to the loop.
void Daemon::start_libvirt_link() {
    libvirt_helper::HelperLink::Handlers handlers;
    handlers.on_domain_stopped = [this](launcher::DomainStopped stopped) {
        loop_.post([this, s = std::move(stopped)] { launcher_object_->domain_stopped(s); });
    };
    handlers.on_domain_started = [this](launcher::DomainStarted started) {
        loop_.post([this, s = std::move(started)] { launcher_object_->domain_started(s); });
    };
    handlers.on_connection_closed = [this](std::string reason) {
        loop_.post([this, r = std::move(reason)] { on_libvirt_connection_closed(r); });
    };
    libvirt_link_ = std::make_unique<libvirt_helper::HelperLink>(
        options_.libvirt_helper, libvirt_uri(), std::move(handlers));
}

// The watcher reads now, so Host1 shows libvirt gone at once, not at its next
// periodic check, and notices it coming back with its retries.
void Daemon::on_libvirt_connection_closed(const std::string& reason) {
    spdlog::warn("libvirt connection at '{}' lost: {}", libvirt_uri(), reason);
    if (libvirt_)
        libvirt_->recheck();
    // Reconnects (and subscribes again) now when libvirtd is already back, a
    // restart too quick for the watcher to see it gone; else the watcher's
    // "connected" reading does, later.
    resync_launcher();
}

void Daemon::publish_objects() {
    workers_ = std::make_unique<WorkerPool>(kWorkerThreads);
    event_lane_ = std::make_unique<WorkerPool>(1);
    authorizer_ = std::make_unique<Authorizer>(*bus_);
    // Refresh re-reads everything, the guests libvirt runs included.
    host_object_ = std::make_unique<HostObject>(
        *bus_, report_, [this](sdbus::Result<> reply) { on_refresh(std::move(reply)); });
    try {
        cgroups::TunerOptions tuner_options;
        tuner_options.root = options_.root;
        tuner_ = std::make_unique<cgroups::MemoryLimitTuner>(tuner_options);
    } catch (const cgroups::TuneError& e) {
        tuner_error_ = e.what();
        spdlog::warn("machine.slice limit unavailable: {}; Tuning1.Apply will fail", e.what());
    }
    auto launcher = make_launcher();
    launcher->update_host(report_);
    launcher_object_ = std::make_unique<LauncherObject>(
        *bus_, *authorizer_, loop_, *workers_, *event_lane_, std::move(launcher),
        [this] { on_guests_changed(); }, launch_stats_);
    tuning_object_ = std::make_unique<TuningObject>(
        *bus_, *authorizer_, read_tuning_state(),
        [this](sdbus::Result<uint64_t> result) { apply_tuning(std::move(result)); });
    exports_ = std::make_unique<ExportScheduler>(loop_, *workers_, export_paths(),
                                                 [this] { return export_values(); });
    host_object_->set_certificates_handler([this](sdbus::Result<std::string, std::string>&& r) {
        launcher_object_->certificates(std::move(r));
    });
}

std::shared_ptr<launcher::Launcher> Daemon::make_launcher() {
    std::unique_ptr<launcher::LibvirtDomains> domains;
    if (replay_only())
        domains = std::make_unique<launcher::ReplayDomains>(options_.root);
    else
        domains = std::make_unique<libvirt_helper::HelperDomains>(*libvirt_link_);
    return std::make_shared<launcher::Launcher>(config_, std::move(domains));
}

std::string Daemon::machine_type() const {
    std::lock_guard lock(machine_type_mutex_);
    return machine_type_;
}

void Daemon::recheck_libvirt() {
    if (libvirt_)
        libvirt_->recheck();
}

// Re-reads the running encrypted guests from libvirt (blocking: on a worker).
void Daemon::resync_launcher() {
    auto launcher = launcher_object_->launcher();
    workers_->submit([this, launcher] {
        try {
            launcher->resync();
        } catch (const launcher::LaunchError& e) {
            spdlog::warn("listing running guests: {}; retrying when libvirt is back", e.what());
            return;
        }
        loop_.post([this, attesting = launcher->attesting_guests()] {
            launcher_object_->watch_attestation(attesting);
            launcher_object_->announce_guests();
            state_changed();
        });
    });
}

void Daemon::on_guests_changed() {
    // Slot usage moved: misc.current (host) at once; libvirt's running
    // domains (one listing of them all) once per burst of launches.
    reprobe_host();
    if (libvirt_recheck_pending_)
        return;
    libvirt_recheck_pending_ = true;
    loop_.run_after(kBurstCoalesceDelay, [this] {
        libvirt_recheck_pending_ = false;
        recheck_libvirt();
    });
}

void Daemon::start_watchers() {
    loop_.watch(signals_.fd(), [this] { on_signal(); });
    if (udev_) // events since the first probe wait in its socket
        loop_.watch(udev_->fd(), [this] { on_uevent(); });
    if (replay_only())
        return; // libvirt is what the snapshot recorded: nothing to watch
    auto read_facts = [this](const std::string& uri) {
        return libvirt_helper::read_facts_through(*libvirt_link_, options_.root, uri,
                                                  machine_type());
    };
    libvirt_ = std::make_unique<LibvirtWatcher>(
        std::move(read_facts), libvirt_uri(), [this](probe::LibvirtFacts facts) {
            loop_.post([this, f = std::move(facts)]() mutable { on_libvirt_facts(std::move(f)); });
        });
}

void Daemon::on_signal() {
    while (auto signo = signals_.read_signal()) {
        if (*signo == SIGHUP) {
            reload_config();
            continue;
        }
        spdlog::info("signal {}: exiting", *signo);
        loop_.quit(0);
    }
}

void Daemon::reload_config() {
    sd_notify(0, "RELOADING=1");
    try {
        auto config = config::load_config(options_.config_path);
        spdlog::info("reloaded {}", options_.config_path.string());
        if (config != config_) {
            {
                std::lock_guard lock(machine_type_mutex_);
                machine_type_ = config.machine_type;
            }
            config_ = std::move(config);
            // The same launcher and ledger: launches in flight keep their
            // reservations, and running guests are re-counted with the new
            // overhead (on another URI: that libvirt's guests).
            libvirt_link_->set_uri(libvirt_uri());
            launcher_object_->launcher()->reconfigure(config_);
            resync_launcher();
        }
    } catch (const config::ConfigError& e) {
        spdlog::error("reload: {}; keeping the previous configuration", e.what());
    }
    if (libvirt_)
        libvirt_->set_uri(libvirt_uri());
    exports_->set_paths(export_paths());
    publish_tuning();
    publish_report();
    sd_notify(0, "READY=1");
}

void Daemon::on_uevent() {
    if (!udev_->drain() || reprobe_pending_)
        return;
    reprobe_pending_ = true;
    loop_.run_after(kBurstCoalesceDelay, [this] {
        reprobe_pending_ = false;
        reprobe_host();
    });
}

// Refresh is open to anyone: callers in a burst share one re-probe
// (RefreshCoalescer), each answered once the re-probe it waited for is published.
void Daemon::on_refresh(sdbus::Result<> reply) {
    refresh_waiting_.push_back(std::move(reply));
    const auto decision = refresh_coalescer_.on_call(RefreshCoalescer::Clock::now());
    using Kind = RefreshCoalescer::Decision::Kind;
    if (decision.kind == Kind::ProbeNow) {
        refresh_now();
    } else if (decision.kind == Kind::ProbeAt) {
        const auto delay = std::chrono::ceil<std::chrono::milliseconds>(
            decision.at - RefreshCoalescer::Clock::now());
        loop_.run_after(std::max(delay, std::chrono::milliseconds(0)), [this] { refresh_now(); });
    }
}

void Daemon::refresh_now() {
    reprobe_host();
    if (libvirt_facts_ && libvirt_facts_->connected)
        resync_launcher();
    recheck_libvirt();
    auto waiting = std::move(refresh_waiting_);
    refresh_waiting_.clear();
    for (auto& reply : waiting)
        reply.returnResults();
}

void Daemon::reprobe_host() {
    refresh_coalescer_.on_probe(RefreshCoalescer::Clock::now());
    host_facts_ = probe::read_host_facts(options_.root);
    if (replay_only())
        libvirt_facts_ = probe::snapshot_libvirt_facts(options_.root);
    publish_report();
}

// A reading while libvirt is there re-syncs the ledger when it may be short:
// on (re)connecting, while a launch's outcome is being checked, and at least
// every kResyncPeriod (what no event reported). Not on every reading: those
// follow each launch, and a full re-read costs one XML per domain.
void Daemon::on_libvirt_facts(probe::LibvirtFacts facts) {
    if (libvirt_facts_ && libvirt_facts_->connected != facts.connected) {
        if (facts.connected)
            spdlog::info("libvirt {} connected", facts.uri);
        else
            spdlog::warn("libvirt {} unreachable: {}; retrying in the background", facts.uri,
                         facts.connect_error);
    }
    const bool reconnected = !libvirt_facts_ || !libvirt_facts_->connected;
    const auto now = std::chrono::steady_clock::now();
    if (facts.connected && (reconnected || launcher_object_->launcher()->needs_resync() ||
                            now - last_resync_ >= kResyncPeriod)) {
        last_resync_ = now;
        resync_launcher();
    }
    libvirt_facts_ = std::move(facts);
    publish_report();
}

void Daemon::publish_report() {
    report_ = probe::build_report(host_facts_, libvirt_facts_, config_.max_encrypted_guests);
    report_time_ = std::chrono::system_clock::now();
    launcher_object_->launcher()->update_host(report_);
    const auto changed = host_object_->publish(report_);
    if (!changed.empty())
        spdlog::debug("{} properties changed", changed.size());
    state_changed();
}

void Daemon::state_changed() {
    if (exports_)
        exports_->changed();
}

exports::ExportValues Daemon::export_values() const {
    exports::ExportValues values;
    values.report = report_;
    values.report_time = report_time_;
    values.ledger = exports::ledger_counts(launcher_object_->launcher()->usage());
    if (const auto& tuning = tuning_object_->state(); tuning.memory_limit_known)
        values.memory_limit_bytes = tuning.memory_limit;
    values.launches = launch_stats_.counts();
    return values;
}

// A snapshot replay (--root) with the host's own configuration writes no
// export: its files would present another host's facts as this host's.
exports::ExportPaths Daemon::export_paths() const {
    if (options_.root != "/" && options_.config_path == config::kDefaultConfigPath)
        return {};
    return {config_.prometheus_textfile, config_.nfd_features_dir};
}

// Under tuner_mutex_ up to the launcher: a reading never overwrites the
// limit an Apply wrote after it. No tuner (no memory controller): no limit
// can be in force, so none is (known); a failed read is unknown and the
// launcher admits nothing until a reading succeeds.
TuningState Daemon::read_tuning_state() {
    TuningState state;
    state.reserved_host_memory = config_.reserved_host_memory_mb * kMiB;
    std::lock_guard lock(tuner_mutex_);
    if (tuner_) {
        try {
            state.memory_limit = tuner_->current().limit_bytes;
        } catch (const cgroups::TuneError& e) {
            state.memory_limit_known = false;
            spdlog::warn("reading the machine.slice limit: {}; no guest is launched until it "
                         "can be read",
                         e.what());
        }
    }
    launcher_object_->launcher()->set_memory_limit({state.memory_limit, state.memory_limit_known});
    return state;
}

void Daemon::publish_tuning() {
    tuning_object_->publish(read_tuning_state());
    state_changed();
}

// The tuner's check (the limit never below the guests' locked memory) and its
// write run as one step against the ledger (Launcher::change_memory_limit):
// a launch admitted meanwhile waits. A refusal writes nothing, so the old
// limit stays known; a failed write leaves the limit unknown until re-read.
void Daemon::apply_tuning(sdbus::Result<uint64_t> result) {
    if (options_.root != "/") {
        // The tuner would write this host's cgroup with the snapshot's MemTotal.
        result.returnError(sdbus::Error(
            launcher::error_name(launcher::ErrorCode::Unsupported).data(),
            "a snapshot is not this host: sevd serves " + options_.root.string() +
                " (--root), and Apply would write this host's machine.slice; run "
                "`sevd tune --root " +
                options_.root.string() + "` for the limit that snapshot's host would get"));
        return;
    }
    if (!tuner_) {
        result.returnError(
            sdbus::Error(kFailedError, "machine.slice limit unavailable: " + tuner_error_));
        return;
    }
    const config::Config config = config_;
    auto launcher = launcher_object_->launcher();
    auto reply = std::make_shared<sdbus::Result<uint64_t>>(std::move(result));
    workers_->submit([this, reply, config, launcher]() mutable {
        std::optional<sdbus::Error> error;
        uint64_t limit = 0;
        try {
            launcher->change_memory_limit([&](std::optional<uint64_t> locked) {
                std::lock_guard lock(tuner_mutex_);
                try {
                    // Unreadable guest memory: no limit is safe to lower to.
                    limit =
                        tuner_->apply(config, false, locked.value_or(UINT64_MAX)).after.limit_bytes;
                    return launcher::SliceLimit{limit, true};
                } catch (const cgroups::TuneError& e) {
                    if (e.kind() == cgroups::TuneError::Kind::Io)
                        throw;
                    error = to_bus_error(e);
                    spdlog::error("Tuning1.Apply: {}", e.what());
                    return launcher::SliceLimit{e.result().before.limit_bytes, true};
                }
            });
        } catch (const cgroups::TuneError& e) {
            spdlog::error("Tuning1.Apply: {}", e.what());
            error = to_bus_error(e);
        }
        loop_.post([this, reply = std::move(reply), error, limit] {
            if (error) {
                reply->returnError(*error);
            } else {
                reply->returnResults(limit);
            }
            publish_tuning();
            publish_report(); // the launcher admits against the new limit
        });
    });
}

int run_daemon(const DaemonOptions& options) {
    setup_daemon_logging();
    std::unique_ptr<Daemon> daemon;
    try {
        daemon = std::make_unique<Daemon>(options);
    } catch (const config::ConfigError& e) {
        spdlog::error("{}", e.what());
        return 2;
    }
    return daemon->run();
}

} // namespace sevd::dbus
