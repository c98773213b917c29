// OS template tarballs (vzctl create unpacks what a provider downloaded):
// any bytes unpack or give one Error, never a crash; and nothing is ever
// written beside the destination — a decoy directory next to it ("outside",
// the name the seeds' "../outside/..." entries aim at) stays empty and the
// sandbox holds nothing else.
#include "fuzz.h"
#include "vzkit/base/error.h"
#include "vzkit/ct/template.h"

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

namespace {

namespace fs = std::filesystem;

const fs::path &sandbox() {
    static const fs::path dir = [] {
        fs::path d = fs::temp_directory_path() / ("vzkit-fuzz-template." + std::to_string(getpid()));
        fs::remove_all(d);
        fs::create_directories(d / "outside");
        return d;
    }();
    return dir;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    const fs::path &box = sandbox();
    const fs::path tarball = box / "in.tar";
    const fs::path dest = box / "dest";
    {
        std::ofstream out(tarball, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char *>(data), static_cast<std::streamsize>(size));
    }
    fs::remove_all(dest);
    fs::create_directory(dest);
    try {
        vz::unpack_template(tarball, dest);
    } catch (const vz::Error &) {
    }
    std::set<std::string> names;
    for (const auto &entry : fs::directory_iterator(box))
        names.insert(entry.path().filename().string());
    FUZZ_CHECK((names == std::set<std::string>{"dest", "in.tar", "outside"}));
    FUZZ_CHECK(fs::is_empty(box / "outside"));
    FUZZ_CHECK(!fs::is_symlink(dest) && fs::is_directory(dest));
    return 0;
}
