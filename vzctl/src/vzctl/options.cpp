#include "options.h"

#include "vzkit/base/error.h"

#include <algorithm>

namespace vzctl {

CommandOptions::CommandOptions(const std::vector<std::string> &args,
                               std::span<const vz::cli::Option> table,
                               std::span<const std::string_view> repeatable) {
    const auto parsed =
        vz::cli::parse(args, table, {.usage_error = vz::VZ_INVALID_PARAMETER_SYNTAX});
    if (!parsed.positional.empty())
        throw vz::Error(vz::VZ_INVALID_PARAMETER_SYNTAX,
                        "Unexpected argument " + parsed.positional.front());
    for (const auto &occurrence : parsed.given) {
        const std::string name(occurrence.option->name);
        auto &list = values_[name];
        if (!list.empty() && std::ranges::find(repeatable, name) == repeatable.end())
            throw vz::Error(vz::VZ_INVALID_PARAMETER_SYNTAX,
                            "Invalid option: option '--" + name +
                                "' cannot be specified more than once");
        list.push_back(occurrence.value);
        given_.emplace_back(name, occurrence.value);
    }
}

std::optional<std::string> CommandOptions::value(std::string_view name) const {
    auto it = values_.find(name);
    return it == values_.end() ? std::nullopt : std::optional(it->second.back());
}

std::vector<std::string> CommandOptions::values(std::string_view name) const {
    auto it = values_.find(name);
    return it == values_.end() ? std::vector<std::string>{} : it->second;
}

} // namespace vzctl
