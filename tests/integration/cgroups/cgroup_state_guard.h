// Remembers a cgroup's memory limit (or its absence) and puts it back when
// destroyed: restores the old value, or removes the cgroup if the test made it.
#pragma once

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <unistd.h>

namespace sevd::test {

inline std::optional<std::string> read_text(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in)
        return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

class CgroupStateGuard {
public:
    // `dir`: the cgroup directory; `file`: the control file to restore.
    CgroupStateGuard(std::filesystem::path dir, std::string file)
        : dir_(std::move(dir)), file_(std::move(file)), existed_(std::filesystem::exists(dir_)),
          value_(read_text(dir_ / file_)) {}
    ~CgroupStateGuard() { restore(); }
    CgroupStateGuard(const CgroupStateGuard&) = delete;
    CgroupStateGuard& operator=(const CgroupStateGuard&) = delete;

    bool existed() const { return existed_; }
    const std::optional<std::string>& value() const { return value_; }

    void restore() const {
        if (!existed_) {
            ::rmdir(dir_.c_str()); // a cgroup directory goes with rmdir, not unlink of its files
            return;
        }
        if (value_)
            std::ofstream(dir_ / file_) << *value_;
    }

private:
    std::filesystem::path dir_;
    std::string file_;
    bool existed_;
    std::optional<std::string> value_;
};

} // namespace sevd::test
