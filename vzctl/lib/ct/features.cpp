#include "vzkit/ct/features.h"

#include "vzkit/base/error.h"
#include "vzkit/base/util.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <optional>
#include <utility>
#include <vector>

namespace vz {
namespace {

// OpenVZ's names, then vzkit's own. nesting, ppp, tun and fuse have an effect
// on a stock kernel (docs/compatibility.md); the others are kept for the
// tools that read them.
constexpr std::array<std::string_view, 11> kFeatures = {
    "sysfs", "nfs", "sit", "ipip", "ppp", "ipgre", "bridge", "nfsd", "nesting", "tun", "fuse"};

// The device node each device feature gives the container, as DEVNODES
// would: /dev/ppp (OpenVZ's ppp), /dev/net/tun, /dev/fuse.
struct FeatureNode {
    std::string_view feature;
    std::string_view devnode;
};
constexpr std::array<FeatureNode, 3> kFeatureNodes = {{
    {"ppp", "ppp:rw"},
    {"tun", "net/tun:rw"},
    {"fuse", "fuse:rw"},
}};

std::pair<std::string, bool> parse_item(std::string_view item) {
    auto colon = item.rfind(':');
    if (colon == std::string_view::npos)
        throw Error(VZ_INVALID_PARAMETER_VALUE,
                    "Invalid feature setting '" + std::string(item) + "': expected name:on|off");
    std::string name = to_lower(item.substr(0, colon));
    if (std::ranges::find(kFeatures, name) == kFeatures.end())
        throw Error(VZ_INVALID_PARAMETER_VALUE, "Unknown feature '" + name + "'");
    std::string state = to_lower(item.substr(colon + 1));
    if (state != "on" && state != "off")
        throw Error(VZ_INVALID_PARAMETER_VALUE,
                    "Invalid state '" + state + "' for feature " + name + ": use on or off");
    return {name, state == "on"};
}

} // namespace

bool feature_enabled(const CtConfig &config, std::string_view name) {
    bool on = false;
    for (const auto &item : split_setting_list(config.get_or("FEATURES", ""))) {
        try {
            auto [feature, state] = parse_item(item);
            if (feature == name)
                on = state;
        } catch (const Error &) {
            // An unknown name in a hand-edited config turns nothing on.
        }
    }
    return on;
}

std::string merge_features_setting(std::string_view current, std::string_view update) {
    std::vector<std::pair<std::string, bool>> merged;
    auto put = [&merged](const std::pair<std::string, bool> &setting) {
        auto it = std::ranges::find(merged, setting.first, &std::pair<std::string, bool>::first);
        if (it == merged.end())
            merged.push_back(setting);
        else
            it->second = setting.second;
    };
    for (const auto &item : split_setting_list(current)) {
        try {
            put(parse_item(item));
        } catch (const Error &) {
        }
    }
    for (const auto &item : split_setting_list(update))
        put(parse_item(item));
    std::vector<std::string> out;
    for (const auto &[name, on] : merged)
        out.push_back(name + (on ? ":on" : ":off"));
    return join(out, " ");
}

std::vector<std::pair<std::string, bool>> feature_switches(std::string_view setting) {
    std::vector<std::optional<bool>> state(kFeatures.size());
    for (const auto &item : split_setting_list(setting)) {
        try {
            auto [name, on] = parse_item(item);
            state[static_cast<std::size_t>(std::ranges::find(kFeatures, name) - kFeatures.begin())] =
                on;
        } catch (const Error &) {
        }
    }
    std::vector<std::pair<std::string, bool>> out;
    for (std::size_t i = 0; i < kFeatures.size(); ++i)
        if (state[i])
            out.emplace_back(std::string(kFeatures[i]), *state[i]);
    return out;
}

bool feature_node_on_host(std::string_view feature) {
    for (const auto &[f, devnode] : kFeatureNodes)
        if (f == feature) {
            const std::string path = "/dev/" + std::string(devnode.substr(0, devnode.find(':')));
            return ::access(path.c_str(), F_OK) == 0;
        }
    return true;
}

std::string devnodes_with_features(const CtConfig &config) {
    std::string out = config.get_or("DEVNODES", "");
    for (const auto &[feature, devnode] : kFeatureNodes) {
        const std::string name(devnode.substr(0, devnode.find(':')));
        if (!feature_enabled(config, feature) ||
            (" " + out + " ").find(" " + name + ":") != std::string::npos ||
            !feature_node_on_host(feature))
            continue;
        out += (out.empty() ? "" : " ") + std::string(devnode);
    }
    return out;
}

} // namespace vz
