#include "vzkit/cli/describe.h"

#include <algorithm>
#include <array>

namespace vz::cli {

std::string describe_line(std::span<const std::string_view> fields) {
    std::string line;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i > 0)
            line += '\t';
        std::string field(fields[i]);
        std::ranges::replace(field, '\t', ' ');
        std::ranges::replace(field, '\n', ' ');
        line += field;
    }
    return line + "\n";
}

std::string describe_options(std::span<const Option> options, std::string_view scope) {
    std::string out;
    for (const Option &o : options) {
        const std::string short_name = o.short_name ? std::string(1, o.short_name) : "";
        const std::array<std::string_view, 7> fields = {
            "option",     scope, short_name, o.name, o.arg == Arg::kRequired ? "1" : "0",
            o.value_name, o.help};
        out += describe_line(fields);
    }
    return out;
}

std::string describe_command(std::string_view name, std::string_view usage) {
    const std::array<std::string_view, 3> fields = {"command", name, usage};
    return describe_line(fields);
}

} // namespace vz::cli
