// /proc/user_beancounters, /proc/bc/resources and /proc/bc/<id>/resources
// as vzubc, vzlist and vzmemcheck read them: any text parses without a crash.
#include "vzkit/ubc/proc.h"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    (void)vz::ubc::parse_beancounters(text);
    (void)vz::ubc::parse_bc_resources(text, 101);
    return 0;
}
