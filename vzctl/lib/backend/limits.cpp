// The UBC limits of a config as the module takes them (the module backend,
// backend/module.cpp, applies them; set validates them).
#include "vzkit/ct/params.h"
#include "vzkit/base/error.h"
#include "vzkit/backend/device.h"
#include "vzkit/base/util.h"

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

} // namespace vz::kmod
