// OpenVZ-style config files (<CTID>.conf, vz.conf, samples): any text parses
// without crashing; what render() gives back parses to the same values; and
// a value vzctl saves with set() reads back exactly, whatever its bytes
// (descriptions and names come from users and panels).
#include "fuzz.h"
#include "vzkit/base/config.h"

#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    const std::string value = in.ConsumeRandomLengthString(256);
    const std::string text = in.ConsumeRemainingBytesAsString();

    const vz::ConfigFile file = vz::ConfigFile::parse(text, "fuzz.conf");
    const auto values = file.values();
    FUZZ_CHECK(vz::ConfigFile::parse(file.render()).values() == values);

    // A value holding a line break or NUL cannot be one config line; set()
    // is never given one (the parameter table refuses them).
    if (value.find_first_of(std::string("\n\r\0", 3)) != std::string::npos)
        return 0;
    vz::ConfigFile edited = file;
    edited.set("DESCRIPTION", value);
    const vz::ConfigFile reread = vz::ConfigFile::parse(edited.render());
    FUZZ_CHECK(reread.get("DESCRIPTION") == value);
    auto rest = reread.values();
    auto before = values;
    rest.erase("DESCRIPTION");
    before.erase("DESCRIPTION");
    FUZZ_CHECK(rest == before);
    return 0;
}
