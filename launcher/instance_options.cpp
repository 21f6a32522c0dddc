#include "launcher/instance_options.h"

#include <algorithm>

#include "launcher/launch_error.h"
#include "launcher/property_vocabulary.h"

namespace sevd::launcher::rules {
namespace {

[[noreturn]] void refuse(const Setting& s, const std::string& why) {
    throw LaunchError(ErrorCode::InvalidArgument, "property '" + std::string(s.key) + "'='" +
                                                      std::string(s.value) + "': " + why);
}

std::string listed(const std::vector<std::string>& names) {
    std::string text;
    for (const auto& name : names)
        text += (text.empty() ? "" : ", ") + name;
    return text.empty() ? "none ([guests] networks in sevd.conf is empty)" : text;
}

std::string trimmed(std::string_view text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos)
        return {};
    const auto last = text.find_last_not_of(" \t");
    return std::string(text.substr(first, last - first + 1));
}

} // namespace

ImageFormat choose_disk_format(std::optional<Setting> format) {
    if (!format)
        return ImageFormat::Raw;
    const auto value = vocabulary::to_lower(format->value);
    if (value == "raw")
        return ImageFormat::Raw;
    if (value == "qcow2")
        return ImageFormat::Qcow2;
    refuse(*format, "unknown image format; accepted values: raw, qcow2 (the format the image "
                    "was created with; sevd never guesses it from the file)");
}

std::vector<std::string> choose_networks(std::optional<Setting> networks,
                                         const std::vector<std::string>& allowed) {
    std::vector<std::string> names;
    if (!networks)
        return names;
    const std::string_view text = networks->value;
    size_t start = 0;
    while (start <= text.size()) {
        auto stop = text.find(',', start);
        if (stop == std::string_view::npos)
            stop = text.size();
        auto name = trimmed(text.substr(start, stop - start));
        if (std::find(allowed.begin(), allowed.end(), name) == allowed.end())
            refuse(*networks, "network '" + name +
                                  "' is not one guests may join; allowed: " + listed(allowed));
        if (std::find(names.begin(), names.end(), name) != names.end())
            refuse(*networks, "network '" + name + "' is named twice; name each once");
        names.push_back(std::move(name));
        start = stop + 1;
    }
    return names;
}

std::string choose_seed(std::optional<Setting> seed) {
    if (!seed)
        return {};
    if (seed->value.empty() || seed->value.front() != '/')
        refuse(*seed, "give an absolute path to a seed image (e.g. a cloud-init NoCloud ISO) "
                      "inside the configured image directories");
    return std::string(seed->value);
}

} // namespace sevd::launcher::rules
