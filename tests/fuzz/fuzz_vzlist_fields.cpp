// vzlist -o / -s field lists: any text is a list of fields or one Error; each
// field found is found again by the name it prints.
#include "fuzz.h"
#include "vzkit/base/error.h"
#include "vzkit/ct/list.h"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    for (const bool json : {false, true}) {
        try {
            for (const vz::FieldRef &ref : vz::parse_field_list(text, json)) {
                const auto again = vz::find_field(ref.name());
                FUZZ_CHECK(again && again->field == ref.field && again->part == ref.part);
                FUZZ_CHECK(!ref.header().empty());
            }
        } catch (const vz::Error &) {
        }
    }
    return 0;
}
