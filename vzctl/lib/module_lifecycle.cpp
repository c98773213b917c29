// The UBC limits of a config as the module takes them (the module backend,
// backend_module.cpp, applies them; set validates them).
#include "vzkit/error.h"
#include "vzkit/module.h"
#include "vzkit/util.h"

namespace vz::kmod {
namespace {

// The key, or the older spelling configs may still use (vzctl's DCACHE,
// IPTENTRIES).
std::optional<std::string> ubc_setting(const VeConfig &config, const ubc::Resource &res) {
    if (auto value = config.get(res.key))
        return value;
    for (std::string_view alias : {"DCACHE", "IPTENTRIES"})
        if (ubc::find_resource_by_key(alias) == &res)
            return config.get(alias);
    return std::nullopt;
}

} // namespace

std::vector<std::pair<const ubc::Resource *, ubc::Value>>
configured_limits(const VeConfig &config) {
    std::vector<std::pair<const ubc::Resource *, ubc::Value>> out;
    for (const ubc::Resource &res : ubc::resources()) {
        auto raw = ubc_setting(config, res);
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

} // namespace vz::kmod
