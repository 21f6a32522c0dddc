// Standalone driver for builds without libFuzzer (gcc, SEVD_FUZZ=OFF): runs
// every file of the given folders (and given files) once through the fuzz
// target's LLVMFuzzerTestOneInput, in name order. A folder that does not exist
// is skipped (a target without regressions has no folder); finding no input
// at all is an error, so a broken seed path cannot pass silently.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

namespace fs = std::filesystem;

std::vector<fs::path> inputs_under(const fs::path& path) {
    std::vector<fs::path> inputs;
    std::error_code ec;
    if (fs::is_regular_file(path, ec))
        return {path};
    if (!fs::is_directory(path, ec))
        return inputs;
    for (const auto& entry : fs::recursive_directory_iterator(path, ec))
        if (entry.is_regular_file(ec))
            inputs.push_back(entry.path());
    std::sort(inputs.begin(), inputs.end());
    return inputs;
}

bool run_one(const fs::path& input) {
    std::ifstream in(input, std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "cannot read %s\n", input.c_str());
        return false;
    }
    const std::vector<char> bytes{std::istreambuf_iterator<char>(in),
                                  std::istreambuf_iterator<char>()};
    // A copy of exactly `size` bytes, like libFuzzer, so reads past the end are caught.
    std::vector<uint8_t> data(bytes.begin(), bytes.end());
    std::fprintf(stderr, "replaying %s (%zu bytes)\n", input.c_str(), data.size());
    LLVMFuzzerTestOneInput(data.data(), data.size());
    return true;
}

} // namespace

int main(int argc, char** argv) {
    size_t replayed = 0;
    for (int i = 1; i < argc; ++i) {
        for (const auto& input : inputs_under(argv[i])) {
            if (!run_one(input))
                return 1;
            ++replayed;
        }
    }
    if (replayed == 0) {
        std::fprintf(stderr, "no inputs found under the given paths: check the seed folders\n");
        return 1;
    }
    std::fprintf(stderr, "replayed %zu inputs, all passed\n", replayed);
    return 0;
}
