#include "launcher/image_resolver.h"

#include <algorithm>
#include <array>
#include <fstream>
#include <system_error>

#include "launcher/launch_error.h"
#include "launcher/utf8_text.h"

namespace sevd::launcher {
namespace {

namespace fs = std::filesystem;

constexpr std::array<char, 4> kQcow2Magic = {'Q', 'F', 'I', '\xfb'};

std::string dirs_text(const std::vector<fs::path>& dirs) {
    std::string text;
    for (const auto& dir : dirs)
        text += (text.empty() ? "" : ":") + dir.string();
    return text;
}

// True when `path` is strictly below `dir`, comparing whole components.
bool is_inside(const fs::path& path, const fs::path& dir) {
    auto [dir_end, path_at] = std::mismatch(dir.begin(), dir.end(), path.begin(), path.end());
    return dir_end == dir.end() && path_at != path.end();
}

bool inside_any(const fs::path& resolved, const std::vector<fs::path>& image_dirs) {
    for (const auto& dir : image_dirs) {
        std::error_code ec;
        const auto canonical_dir = fs::canonical(dir, ec);
        if (!ec && is_inside(resolved, canonical_dir))
            return true;
    }
    return false;
}

ImageFormat read_format(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::array<char, kQcow2Magic.size()> head{};
    if (!in.read(head.data(), head.size()))
        return ImageFormat::Raw;
    return head == kQcow2Magic ? ImageFormat::Qcow2 : ImageFormat::Raw;
}

constexpr size_t kMaxShownPath = 512;

[[noreturn]] void refuse(const std::string& disk, const std::string& why) {
    throw LaunchError(ErrorCode::InvalidArgument,
                      "disk '" + printable(disk, kMaxShownPath) + "' is not accepted: " + why);
}

} // namespace

ResolvedImage resolve_image(const std::string& disk, const std::vector<fs::path>& image_dirs) {
    std::error_code ec;
    const auto resolved = fs::canonical(disk, ec);
    if (ec)
        refuse(disk, "it cannot be resolved (" + ec.message() +
                         "); give an existing image inside " + dirs_text(image_dirs));
    if (!is_safe_text(resolved.string()))
        refuse(disk, "it resolves to '" + printable(resolved.string(), kMaxShownPath) +
                         "', a name that is not UTF-8 text without control characters");
    if (!inside_any(resolved, image_dirs))
        refuse(disk, "it resolves to '" + printable(resolved.string(), kMaxShownPath) +
                         "', outside the image directories " + dirs_text(image_dirs) +
                         " (image_dirs in sevd.conf)");
    const auto status = fs::status(resolved, ec);
    if (fs::is_regular_file(status))
        return {resolved.string(), ImageKind::File, read_format(resolved)};
    if (fs::is_block_file(status))
        return {resolved.string(), ImageKind::Block, ImageFormat::Raw};
    refuse(disk, "'" + resolved.string() + "' is neither a regular file nor a block device");
}

} // namespace sevd::launcher
