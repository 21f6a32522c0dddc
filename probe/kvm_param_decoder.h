// Decoder for a kvm_amd module parameter file (pure). Kernels print booleans
// as `1`/`0` (older) or `Y`/`N` (newer); `y` is accepted like the kernel's
// own parser. A missing file means disabled / module not loaded.
#pragma once

#include <string>
#include <string_view>

namespace sevd::probe {

struct KvmParam {
    enum class State { Enabled, Disabled, Missing, Garbage };
    State state = State::Missing;
    std::string raw; // the file's trimmed text, for messages about Garbage
    bool enabled() const { return state == State::Enabled; }
    bool operator==(const KvmParam&) const = default;
};

KvmParam decode_kvm_param(std::string_view text);

} // namespace sevd::probe
