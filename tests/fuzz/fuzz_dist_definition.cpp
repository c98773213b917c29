// The dists definitions (dists/*.yaml through yaml-cpp, OpenVZ's legacy
// dists/*.conf): any text is a definition or one Error, never a crash or
// another exception.
#include "vzkit/base/error.h"
#include "vzkit/dist/definition.h"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    try {
        (void)vz::dist::parse_yaml_definition(text, "fuzz.yaml");
    } catch (const vz::Error &) {
    }
    (void)vz::dist::parse_legacy_conf(text);
    return 0;
}
