#include "probe/kvm_param_decoder.h"

#include "common/text.h"

namespace sevd::probe {

KvmParam decode_kvm_param(std::string_view text) {
    const auto value = trim(text);
    KvmParam param;
    param.raw = std::string(value.substr(0, 40));
    if (value == "1" || value == "Y" || value == "y")
        param.state = KvmParam::State::Enabled;
    else if (value == "0" || value == "N" || value == "n")
        param.state = KvmParam::State::Disabled;
    else
        param.state = KvmParam::State::Garbage;
    return param;
}

} // namespace sevd::probe
