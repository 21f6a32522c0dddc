#include "manager/manager.h"

#include <algorithm>
#include <chrono>

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include "export/ledger_counts.h"
#include "launcher/replay_domains.h"
#include "libvirt_helper/helper_domains.h"
#include "libvirt_helper/helper_facts.h"
#include "probe/prober.h"

namespace sevd::manager {
namespace {

// A burst of changes (uevents, a fleet's launches) shares one re-reading.
constexpr std::chrono::milliseconds kBurstCoalesceDelay{200};
constexpr unsigned kWorkerThreads = 2;
// Between full re-reads of libvirt's domains (what no event reported): the
// watcher's periodic reading while connected.
constexpr std::chrono::seconds kResyncPeriod{30};
// At most one Refresh() re-probe starts per interval (org.sevd.Host1.xml says 250 ms).
constexpr std::chrono::milliseconds kRefreshInterval{250};
// After a failed re-sync, before libvirt is read again.
constexpr std::chrono::seconds kResyncRetryDelay{1};

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

Manager::Manager(ManagerOptions options)
    : options_(std::move(options)), config_(config::load_config(options_.config_path)),
      udev_(open_uevent_monitor()), host_facts_(probe::read_host_facts(options_.root)),
      machine_type_(config_.machine_type),
      libvirt_facts_(replay_only() ? probe::snapshot_libvirt_facts(options_.root)
                                   : pending_libvirt(libvirt_uri())),
      report_(probe::build_report(host_facts_, libvirt_facts_, config_.max_encrypted_guests)),
      report_time_(std::chrono::system_clock::now()), refresh_coalescer_(kRefreshInterval),
      uevent_reprobe_(loop_, kBurstCoalesceDelay, [this] { reprobe_host(); }),
      libvirt_recheck_(loop_, kBurstCoalesceDelay, [this] { recheck_libvirt(); }),
      resync_retry_(loop_, kResyncRetryDelay, [this] { recheck_libvirt(); }) {}

Manager::~Manager() {
    // Unanswered Refresh() calls hold the callers' replies.
    refresh_waiting_.clear();
    // The helper first: calls under way fail at once instead of holding up
    // the threads below. Then the threads: their jobs use the members below.
    if (libvirt_link_)
        libvirt_link_->stop();
    libvirt_.reset();
    workers_.reset();
    guests_.reset(); // its event lane
}

std::string Manager::libvirt_uri() const {
    return options_.libvirt_uri.value_or(config_.libvirt_uri);
}

// DESIGN.md: a snapshot replays alone; a live libvirt only when asked for.
bool Manager::replay_only() const {
    return probe::choose_libvirt_source(options_.root, false, options_.libvirt_uri.has_value()) ==
           probe::LibvirtSource::Snapshot;
}

std::string Manager::describe_sources() const {
    return "root " + options_.root.string() + ", libvirt " +
           (replay_only() ? std::string("recorded in the snapshot") : libvirt_uri());
}

void Manager::prepare(Announcer& announcer) {
    announcer_ = &announcer;
    start_libvirt_link();
    workers_ = std::make_unique<WorkerPool>(kWorkerThreads);
    auto launcher = make_launcher();
    launcher->update_host(report_);
    guests_ = std::make_unique<GuestManager>(loop_, *workers_, launcher, launch_stats_, announcer,
                                             [this] { on_slots_moved(); });
    tuning_ = std::make_unique<TuningManager>(options_.root, loop_, *workers_, launcher);
    tuning_state_ = tuning_->read(config_);
    exports_ = std::make_unique<ExportScheduler>(loop_, *workers_, export_paths(),
                                                 [this] { return export_values(); });
}

int Manager::run() {
    start_watchers();
    return loop_.run();
}

// The helper starts with the first libvirt call (the watcher's first
// reading), so start-up never waits for it. Its events arrive on the link's
// reader thread: they only post to the loop.
void Manager::start_libvirt_link() {
    libvirt_helper::HelperLink::Handlers handlers;
    handlers.on_domain_stopped = [this](launcher::DomainStopped stopped) {
        loop_.post([this, s = std::move(stopped)] { guests_->domain_stopped(s); });
    };
    handlers.on_domain_started = [this](launcher::DomainStarted started) {
        loop_.post([this, s = std::move(started)] { guests_->domain_started(s); });
    };
    handlers.on_connection_closed = [this](std::string reason) {
        loop_.post([this, r = std::move(reason)] { on_libvirt_connection_closed(r); });
    };
    libvirt_link_ = std::make_unique<libvirt_helper::HelperLink>(
        options_.libvirt_helper, libvirt_uri(), std::move(handlers));
}

// The watcher reads now, so Host1 shows libvirt gone at once, not at its next
// periodic check, and notices it coming back with its retries.
void Manager::on_libvirt_connection_closed(const std::string& reason) {
    spdlog::warn("libvirt connection at '{}' lost: {}", libvirt_uri(), reason);
    recheck_libvirt();
    // Reconnects (and subscribes again) now when libvirtd is already back, a
    // restart too quick for the watcher to see it gone; else the watcher's
    // "connected" reading does, later.
    resync_guests();
}

std::shared_ptr<launcher::Launcher> Manager::make_launcher() {
    std::unique_ptr<launcher::LibvirtDomains> domains;
    if (replay_only())
        domains = std::make_unique<launcher::ReplayDomains>(options_.root);
    else
        domains = std::make_unique<libvirt_helper::HelperDomains>(*libvirt_link_);
    return std::make_shared<launcher::Launcher>(config_, std::move(domains));
}

std::string Manager::machine_type() const {
    std::lock_guard lock(machine_type_mutex_);
    return machine_type_;
}

void Manager::recheck_libvirt() {
    if (libvirt_)
        libvirt_->recheck();
}

// Re-reads the running encrypted guests from libvirt (on a worker).
void Manager::resync_guests() {
    guests_->resync([this] { state_changed(); }, [this] { resync_retry_.request(); });
}

void Manager::on_slots_moved() {
    // Slot usage moved: misc.current (host) at once; libvirt's running
    // domains (one listing of them all) once per burst of launches.
    reprobe_host();
    libvirt_recheck_.request();
}

void Manager::start_watchers() {
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

void Manager::on_signal() {
    while (auto signo = signals_.read_signal()) {
        if (*signo == SIGHUP) {
            reload_config();
            continue;
        }
        spdlog::info("signal {}: exiting", *signo);
        loop_.quit(0);
    }
}

void Manager::reload_config() {
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
            guests_->launcher().reconfigure(config_);
            resync_guests();
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

void Manager::on_uevent() {
    if (udev_->drain())
        uevent_reprobe_.request();
}

// Refresh is open to anyone: callers in a burst share one re-probe
// (RefreshCoalescer), each answered once the re-probe it waited for is published.
void Manager::refresh(std::function<void()> answered) {
    refresh_waiting_.push_back(std::move(answered));
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

// Refresh re-reads everything, the guests libvirt runs included.
void Manager::refresh_now() {
    reprobe_host();
    if (libvirt_facts_ && libvirt_facts_->connected)
        resync_guests();
    recheck_libvirt();
    auto waiting = std::move(refresh_waiting_);
    refresh_waiting_.clear();
    for (auto& answer : waiting)
        answer();
}

void Manager::reprobe_host() {
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
void Manager::on_libvirt_facts(probe::LibvirtFacts facts) {
    if (libvirt_facts_ && libvirt_facts_->connected != facts.connected) {
        if (facts.connected)
            spdlog::info("libvirt {} connected", facts.uri);
        else
            spdlog::warn("libvirt {} unreachable: {}; retrying in the background", facts.uri,
                         facts.connect_error);
    }
    const bool reconnected = !libvirt_facts_ || !libvirt_facts_->connected;
    const auto now = std::chrono::steady_clock::now();
    if (facts.connected && (reconnected || guests_->launcher().needs_resync() ||
                            now - last_resync_ >= kResyncPeriod)) {
        last_resync_ = now;
        resync_guests();
    }
    libvirt_facts_ = std::move(facts);
    publish_report();
}

void Manager::publish_report() {
    report_ = probe::build_report(host_facts_, libvirt_facts_, config_.max_encrypted_guests);
    report_time_ = std::chrono::system_clock::now();
    guests_->launcher().update_host(report_);
    announcer_->report_changed(report_);
    state_changed();
}

void Manager::publish_tuning() {
    tuning_state_ = tuning_->read(config_);
    announcer_->tuning_changed(tuning_state_);
    state_changed();
}

// After an Apply (written or refused) the limit is read again, and the
// launcher admits against it.
void Manager::apply_tuning(Then<uint64_t> then) {
    tuning_->apply(config_, [this, then = std::move(then)](Outcome<uint64_t> outcome) {
        then(std::move(outcome));
        publish_tuning();
        publish_report();
    });
}

void Manager::state_changed() {
    if (exports_)
        exports_->changed();
}

exports::ExportValues Manager::export_values() const {
    exports::ExportValues values;
    values.report = report_;
    values.report_time = report_time_;
    values.ledger = exports::ledger_counts(guests_->launcher().usage());
    if (tuning_state_.memory_limit_known)
        values.memory_limit_bytes = tuning_state_.memory_limit;
    values.launches = launch_stats_.counts();
    return values;
}

// A snapshot replay (--root) with the host's own configuration writes no
// export: its files would present another host's facts as this host's.
exports::ExportPaths Manager::export_paths() const {
    if (options_.root != "/" && options_.config_path == config::kDefaultConfigPath)
        return {};
    return {config_.prometheus_textfile, config_.nfd_features_dir};
}

} // namespace sevd::manager
