// The UBC limits of a config as the module takes them (the module backend,
// backend/module.cpp, applies them; set validates them).
#include "vzkit/ct/params.h"
#include "vzkit/base/error.h"
#include "vzkit/backend/device.h"
#include "vzkit/base/util.h"
#include "vzkit/ubc/cgroup_limits.h"

#include <linux/vzkit.h>

namespace vz::kmod {

std::vector<std::pair<const ubc::Resource *, ubc::Value>>
configured_limits(const CtConfig &config) {
    std::vector<std::pair<const ubc::Resource *, ubc::Value>> out;
    for (const ubc::Resource &res : ubc::resources()) {
        // Under the key or an older spelling (the parameter table's aliases).
        auto raw = params::get_setting(config, res.key);
        if (!raw)
            continue;
        auto value = ubc::parse_value(trim(*raw), res.unit);
        if (!value)
            throw Error(VZ_INVALID_PARAMETER_VALUE,
                        "Invalid value for " + std::string(res.key) + ": " + *raw);
        out.emplace_back(&res, *value);
    }
    return out;
}

std::optional<View> parse_meminfo(std::string_view text) {
    if (text == "none")
        return View{.meminfo_mode = VZKIT_MEMINFO_NONE};
    const auto colon = text.find(':');
    if (colon == std::string_view::npos)
        return std::nullopt;
    const auto mode = text.substr(0, colon);
    const auto n = parse_number<std::uint64_t>(text.substr(colon + 1));
    if (!n || *n == 0)
        return std::nullopt;
    if (mode == "pages")
        return View{.meminfo_mode = VZKIT_MEMINFO_PAGES, .meminfo_val = *n};
    if (mode == "privvmpages")
        return View{.meminfo_mode = VZKIT_MEMINFO_PRIVVMPAGES, .meminfo_val = *n};
    return std::nullopt;
}

View view_of(const CtConfig &config) {
    View view;
    if (auto raw = config.get("MEMINFO")) {
        auto parsed = parse_meminfo(trim(*raw));
        if (!parsed)
            throw Error(VZ_INVALID_PARAMETER_VALUE, "Invalid value for MEMINFO: " + *raw);
        view = *parsed;
    }
    if (auto percent = cgroup_limits_from_config(config).cpulimit_percent)
        view.cpus = (*percent + 99) / 100;
    return view;
}

} // namespace vz::kmod
