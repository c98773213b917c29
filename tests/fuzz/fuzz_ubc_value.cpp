// The UBC value grammar ("bar[:lim]", suffixes, "unlimited") in each unit:
// no crash; a parsed value reads back the same from the text vzctl would
// save (a barrier above the limit parses, as in OpenVZ).
#include "fuzz.h"
#include "vzkit/ubc/ubc.h"

#include <array>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    using vz::ubc::Unit;
    for (const Unit unit : std::to_array({Unit::Bytes, Unit::Pages, Unit::Items})) {
        (void)vz::ubc::parse_number(text, unit);
        const auto value = vz::ubc::parse_value(text, unit);
        if (!value)
            continue;
        FUZZ_CHECK(vz::ubc::parse_value(vz::ubc::format_value(*value), unit) == value);
    }
    (void)vz::ubc::parse_bytes(text);
    return 0;
}
