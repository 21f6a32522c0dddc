// CheckList: collects the report's checks and which models they leave
// launchable. Invariant: a FAIL closes every model, so `ready` can never be
// true next to a failed check; warn_es closes only SEV-ES.
#pragma once

#include <string>
#include <vector>

#include "probe/host_report.h"
#include "probe/text_util.h"

namespace sevd::probe {

class CheckList {
public:
    void pass(std::string id, std::string message) {
        add(std::move(id), CheckStatus::Pass, std::move(message), {});
    }
    void skip(std::string id, std::string message) {
        add(std::move(id), CheckStatus::Skip, std::move(message), {});
    }
    // Worth knowing; changes nothing about what can launch.
    void warn(std::string id, std::string message, std::string hint) {
        add(std::move(id), CheckStatus::Warn, std::move(message), std::move(hint));
    }
    // SEV-ES cannot launch; plain SEV is unaffected.
    void warn_es(std::string id, std::string message, std::string hint) {
        sev_es_open_ = false;
        warn(std::move(id), std::move(message), std::move(hint));
    }
    // Nothing can launch.
    void fail(std::string id, std::string message, std::string hint) {
        sev_open_ = sev_es_open_ = false;
        add(std::move(id), CheckStatus::Fail, std::move(message), std::move(hint));
    }

    bool sev_open() const { return sev_open_; }
    bool sev_es_open() const { return sev_open_ && sev_es_open_; }
    std::vector<Check> take() { return std::move(checks_); }

private:
    void add(std::string id, CheckStatus status, std::string message, std::string hint) {
        checks_.push_back(
            Check{std::move(id), status, printable_text(message), printable_text(hint)});
    }

    std::vector<Check> checks_;
    bool sev_open_ = true;
    bool sev_es_open_ = true;
};

} // namespace sevd::probe
