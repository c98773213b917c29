// Container capabilities: OpenVZ's CAPABILITY="NAME:on|off ..." over its default
// mask, turned into the capability bounding set the container's init runs with.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vz {

// Bit n set = capability n allowed (linux/capability.h numbering).
using CapMask = std::uint64_t;

// OpenVZ's CAPDEFAULTMASK: every capability OpenVZ knows, less NET_ADMIN,
// SYS_ADMIN, SYS_MODULE, SYS_RAWIO, SYS_PACCT and SYS_TIME. Capabilities newer
// than OpenVZ (SYSLOG, MAC_*, BPF, PERFMON, ...) reach the host and stay off.
CapMask default_capability_mask();
// Applies "CHOWN:on SYS_TIME:off ..." (names case-insensitive, "CAP_" prefix
// optional, VE_ADMIN = NET_ADMIN) on top of mask. Throws
// Error(VZ_INVALID_PARAMETER_VALUE) naming an unknown name or a bad state.
CapMask apply_capability_setting(CapMask mask, std::string_view setting);
// Normalises --capability arguments ("net_admin:on,sys_time:off") to the
// config form ("NET_ADMIN:on SYS_TIME:off") merged over an existing value.
std::string merge_capability_setting(std::string_view current, std::string_view update);
// The capabilities a setting names, each once with its last state, in the
// capability numbers' order, names lower case ("net_admin"): what vzlist's
// capability field shows. Unknown names and bad states are skipped.
std::vector<std::pair<std::string, bool>> capability_switches(std::string_view setting);
// The mask is applied by vzkit-exec (vzctl/libexec/vzkit-exec.cpp) to every
// process that runs inside a container.

} // namespace vz
