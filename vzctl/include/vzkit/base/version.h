// The vzctl interface vzkit implements: the version of OpenVZ's vzctl whose
// commands, options, configuration keys and output vzkit's tools follow
// (docs/compatibility.md). vzctl's first line of --help and its --version say
// it as OpenVZ does, "vzctl version X.Y.Z", which is what libvirt's OpenVZ
// driver and scripts parse; vzkit's own version follows in parentheses.
#pragma once

#include <string>
#include <string_view>

namespace vz {

inline constexpr std::string_view kVzctlInterfaceVersion = "4.11.1";

inline std::string vzctl_version_line(std::string_view vzkit_version) {
    return "vzctl version " + std::string(kVzctlInterfaceVersion) + " (vzkit " +
           std::string(vzkit_version) + ")";
}

} // namespace vz
