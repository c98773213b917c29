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
