#include "probe/misc_cgroup_decoder.h"

#include "common/text.h"

namespace sevd::probe {

MiscCountsParse decode_misc_counts(std::string_view text) {
    MiscCounts counts;
    std::string error;
    int line_no = 0;
    for_each_line(text, [&](std::string_view raw) {
        ++line_no;
        const auto line = trim(raw);
        if (!error.empty() || line.empty())
            return;
        const auto space = line.find_first_of(" \t");
        const auto value = space == std::string_view::npos ? std::optional<uint64_t>{}
                                                           : parse_u64(trim(line.substr(space)));
        if (!value || *value > UINT32_MAX) {
            error = "line " + std::to_string(line_no) + " is not '<resource> <count>': '" +
                    std::string(line.substr(0, 60)) + "'";
            return;
        }
        const auto key = line.substr(0, space);
        if (key == "sev")
            counts.sev = static_cast<uint32_t>(*value);
        else if (key == "sev_es")
            counts.sev_es = static_cast<uint32_t>(*value);
    });
    if (!error.empty())
        return {std::nullopt, error};
    return {counts, {}};
}

} // namespace sevd::probe
