// CheckList: collects the report's checks and which models they leave
// launchable. Invariant: a FAIL closes every model, so `ready` can never be
// true next to a failed check; warn_es closes only SEV-ES, warn_snp only
// SEV-SNP, warn_es_pool both (what they share: the SEV-ES ASIDs and SEV-ES
// itself, which every SNP guest also uses).
#pragma once

#include <string>
#include <vector>

#include "common/text.h"
#include "probe/host_report.h"

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
    // SEV-ES cannot launch; plain SEV and SEV-SNP are unaffected.
    void warn_es(std::string id, std::string message, std::string hint) {
        sev_es_open_ = false;
        warn(std::move(id), std::move(message), std::move(hint));
        checks_.back().closes = {EncryptionModel::SevEs};
    }
    // SEV-SNP cannot launch; SEV and SEV-ES are unaffected.
    void warn_snp(std::string id, std::string message, std::string hint) {
        sev_snp_open_ = false;
        warn(std::move(id), std::move(message), std::move(hint));
        checks_.back().closes = {EncryptionModel::SevSnp};
    }
    // Neither SEV-ES nor SEV-SNP can launch.
    void warn_es_pool(std::string id, std::string message, std::string hint) {
        sev_es_open_ = sev_snp_open_ = false;
        warn(std::move(id), std::move(message), std::move(hint));
        checks_.back().closes = {EncryptionModel::SevEs, EncryptionModel::SevSnp};
    }
    // Not applicable here, and SEV-SNP therefore unavailable (e.g. the CPU lacks it).
    void skip_snp(std::string id, std::string message) {
        sev_snp_open_ = false;
        skip(std::move(id), std::move(message));
        checks_.back().closes = {EncryptionModel::SevSnp};
    }
    // Nothing can launch.
    void fail(std::string id, std::string message, std::string hint) {
        sev_open_ = sev_es_open_ = sev_snp_open_ = false;
        add(std::move(id), CheckStatus::Fail, std::move(message), std::move(hint));
        checks_.back().closes = {kAllModels.begin(), kAllModels.end()};
    }

    bool sev_open() const { return sev_open_; }
    bool sev_es_open() const { return sev_open_ && sev_es_open_; }
    bool sev_snp_open() const { return sev_open_ && sev_snp_open_; }
    bool open(EncryptionModel model) const {
        switch (model) {
        case EncryptionModel::Sev:
            return sev_open();
        case EncryptionModel::SevEs:
            return sev_es_open();
        case EncryptionModel::SevSnp:
            return sev_snp_open();
        }
        return false;
    }
    std::vector<Check> take() { return std::move(checks_); }

private:
    void add(std::string id, CheckStatus status, std::string message, std::string hint) {
        checks_.push_back(
            Check{std::move(id), status, printable_text(message), printable_text(hint), {}});
    }

    std::vector<Check> checks_;
    bool sev_open_ = true;
    bool sev_es_open_ = true;
    bool sev_snp_open_ = true;
};

} // namespace sevd::probe
