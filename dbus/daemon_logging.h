// Where the daemon logs: the journal when systemd connected stderr to it
// ($JOURNAL_STREAM set), plain stderr otherwise.
#pragma once

namespace sevd::dbus {

void setup_daemon_logging();

} // namespace sevd::dbus
