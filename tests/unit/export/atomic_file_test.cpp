// replace_file: whole content, mode 0644 under any umask, no dot-file left,
// errors that name the file and the fix; FleetExporter reports a failure once.
#include <fstream>
#include <sstream>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "export/atomic_file.h"
#include "export/fleet_exporter.h"
#include "tests/support/temp_dir.h"

namespace sevd::exports {
namespace {

std::string read(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

class UmaskGuard {
public:
    explicit UmaskGuard(mode_t mask) : old_(::umask(mask)) {}
    ~UmaskGuard() { ::umask(old_); }

private:
    mode_t old_;
};

TEST(AtomicFile, ReplacesWithMode0644AndLeavesNoDotFile) {
    test::TempDir dir("sevd-atomic");
    const auto path = dir.path() / "sevd.prom";
    test::write_file(path, "old");
    UmaskGuard mask(077); // sevd.service runs with UMask=0077
    replace_file(path, "new content\n");
    EXPECT_EQ(read(path), "new content\n");
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0644u);
    EXPECT_FALSE(std::filesystem::exists(staging_path(path)));
    EXPECT_EQ(staging_path(path).filename(), ".sevd.prom.tmp");
}

TEST(AtomicFile, MissingFolderNamesFileAndFix) {
    test::TempDir dir("sevd-atomic");
    const auto path = dir.path() / "absent" / "sevd.prom";
    try {
        replace_file(path, "x");
        FAIL() << "no error";
    } catch (const ExportError& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find((dir.path() / "absent" / ".sevd.prom.tmp").string()),
                  std::string::npos)
            << message;
        EXPECT_NE(message.find("ENOENT"), std::string::npos) << message;
        EXPECT_NE(message.find("create the folder " + (dir.path() / "absent").string()),
                  std::string::npos)
            << message;
    }
}

TEST(AtomicFile, ASymlinkedDotFileIsNotFollowed) {
    test::TempDir dir("sevd-atomic");
    const auto path = dir.path() / "sevd.prom";
    const auto victim = dir.path() / "victim";
    test::write_file(victim, "keep");
    std::filesystem::create_symlink(victim, staging_path(path));
    EXPECT_THROW(replace_file(path, "x"), ExportError);
    EXPECT_EQ(read(victim), "keep");
}

TEST(FleetExporter, AFailureIsReportedOnceAndItsRecoveryOnce) {
    test::TempDir dir("sevd-exporter");
    const auto folder = dir.path() / "node-exporter";
    FleetExporter exporter({folder / "sevd.prom", {}});
    ExportValues values;
    const auto now = std::chrono::system_clock::now();
    EXPECT_EQ(exporter.write(values, now).failed.size(), 1u);
    EXPECT_TRUE(exporter.write(values, now).failed.empty()); // same failure: already said
    std::filesystem::create_directory(folder);
    const auto outcome = exporter.write(values, now);
    EXPECT_TRUE(outcome.failed.empty());
    EXPECT_EQ(outcome.recovered, std::vector<std::string>{(folder / "sevd.prom").string()});
    EXPECT_NE(read(folder / "sevd.prom").find("sevd_ready 0"), std::string::npos);
}

} // namespace
} // namespace sevd::exports
