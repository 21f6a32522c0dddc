// Fuzzes the kvm_amd module parameter decoder (DIR/sys/module/kvm_amd/
// parameters/{sev,sev_es,sev_snp}). Properties: never crash; exactly the
// kernel's boolean spellings (1/Y/y, 0/N/n, blanks around) decide the state,
// anything else is Garbage; the report built with the value in each of the
// three files prints.
#include <cstdint>
#include <string_view>

#include "common/text.h"
#include "probe/kvm_param_decoder.h"
#include "tests/fuzz/probe/report_property.h"

using namespace sevd;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const auto text = fuzz::as_text(data, size);
    const auto param = probe::decode_kvm_param(text);
    const auto value = trim(text);
    const bool on = value == "1" || value == "Y" || value == "y";
    const bool off = value == "0" || value == "N" || value == "n";
    using State = probe::KvmParam::State;
    fuzz::check(param.state == (on    ? State::Enabled
                                : off ? State::Disabled
                                      : State::Garbage),
                "only the kernel's boolean spellings decide a parameter");

    auto facts = fuzz::baseline_facts();
    facts.kvm_sev = param;
    facts.kvm_sev_es = param;
    facts.kvm_sev_snp = param;
    fuzz::check_report_prints(facts, std::nullopt);
    return 0;
}
