// Where sevd's daemon processes log: the journal when systemd connected
// stderr to it ($JOURNAL_STREAM set), plain stderr otherwise.
#pragma once

#include <string>

namespace sevd {

// `identifier`: the journal's SYSLOG_IDENTIFIER and the stderr prefix
// ("sevd", "sevd-libvirt").
void setup_daemon_logging(const std::string& identifier = "sevd");

} // namespace sevd
