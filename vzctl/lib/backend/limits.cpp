// The UBC limits of a config as the module takes them (the module backend,
// backend/module.cpp, applies them; set validates them).
#include "vzkit/ct/params.h"
#include "vzkit/base/error.h"
#include "vzkit/backend/device.h"
#include "vzkit/base/util.h"
#include "vzkit/ubc/cgroup_limits.h"

#include <linux/vzkit.h>

#include <cstdlib>

namespace vz::kmod {
namespace {

using Limits = std::vector<std::pair<const ubc::Resource *, ubc::Value>>;

const ubc::Value *limit_of(const Limits &limits, std::string_view key) {
    for (const auto &[res, value] : limits)
        if (res->key == key)
            return &value;
    return nullptr;
}

// OpenVZ's VSwap rule (fill_vswap_ub): a config that limits RAM and names no
// PRIVVMPAGES gets (RAM + swap) × VM_OVERCOMMIT as its privvmpages limit
// when VM_OVERCOMMIT is set (unlimited otherwise).
void add_vswap_privvmpages(const CtConfig &config, Limits &limits) {
    const ubc::Value *ram = limit_of(limits, "PHYSPAGES");
    auto overcommit_text = config.get("VM_OVERCOMMIT");
    if (!ram || ram->limit >= ubc::kUnlimited || !overcommit_text ||
        limit_of(limits, "PRIVVMPAGES"))
        return;
    const double overcommit = std::strtod(overcommit_text->c_str(), nullptr);
    const ubc::Value *swap = limit_of(limits, "SWAPPAGES");
    const double swap_pages =
        swap && swap->limit < ubc::kUnlimited ? static_cast<double>(swap->limit) : 0.0;
    const double pages = (static_cast<double>(ram->limit) + swap_pages) * overcommit;
    if (!(pages > 0) || pages >= static_cast<double>(ubc::kUnlimited))
        return;
    const auto limit = static_cast<std::uint64_t>(pages);
    limits.emplace_back(ubc::find_resource_by_key("PRIVVMPAGES"), ubc::Value{limit, limit});
}

} // namespace

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
    add_vswap_privvmpages(config, out);
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
