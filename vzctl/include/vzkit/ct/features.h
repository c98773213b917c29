// OpenVZ's FEATURES="name:on|off ..." (vzctl set --features). vzkit knows
// OpenVZ's names and adds one of its own: nesting (user namespaces inside the
// container, docs/security.md).
#pragma once

#include "vzkit/base/ct_config.h"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vz {

// DEVNODES plus the device nodes of the features turned on (ppp: /dev/ppp,
// tun: /dev/net/tun, fuse: /dev/fuse), in DEVNODES' form; a node the host
// lacks (no ppp_generic or tun module loaded) is left out.
std::string devnodes_with_features(const CtConfig &config);
// Whether the host has the device node of a device feature (true for the
// others).
bool feature_node_on_host(std::string_view feature);
// Whether FEATURES turns name on (every feature is off unless turned on).
bool feature_enabled(const CtConfig &config, std::string_view name);
// The features a setting names, each once with its last state, in the
// feature table's order (OpenVZ's names first): what vzlist's features field
// shows. Unknown names are skipped.
std::vector<std::pair<std::string, bool>> feature_switches(std::string_view setting);
// Normalises --features arguments ("nesting:on,nfs:off") to the config form
// ("nesting:on nfs:off") merged over an existing value. Throws
// Error(VZ_INVALID_PARAMETER_VALUE) naming an unknown feature or a bad state.
std::string merge_features_setting(std::string_view current, std::string_view update);

} // namespace vz
