#include "vzkit/ct/capability.h"

#include "vzkit/base/error.h"
#include "vzkit/base/util.h"

#include <linux/capability.h>

#include <algorithm>
#include <array>
#include <map>

namespace vz {
namespace {

struct CapName {
    std::string_view name;
    int number;
    bool in_default; // part of OpenVZ's CAPDEFAULTMASK
};

// The names OpenVZ accepts, plus the capabilities Linux added since; only the
// OpenVZ set may be on by default, less SYS_RESOURCE: OpenVZ's kernel kept it
// from reaching past the container's own quota, a stock kernel lets its holder
// ignore the disk quota (docs/quota.md) and raise its rlimits.
constexpr auto kCaps = std::to_array<CapName>({
    {"CHOWN", CAP_CHOWN, true},
    {"DAC_OVERRIDE", CAP_DAC_OVERRIDE, true},
    {"DAC_READ_SEARCH", CAP_DAC_READ_SEARCH, true},
    {"FOWNER", CAP_FOWNER, true},
    {"FSETID", CAP_FSETID, true},
    {"KILL", CAP_KILL, true},
    {"SETGID", CAP_SETGID, true},
    {"SETUID", CAP_SETUID, true},
    {"SETPCAP", CAP_SETPCAP, true},
    {"LINUX_IMMUTABLE", CAP_LINUX_IMMUTABLE, true},
    {"NET_BIND_SERVICE", CAP_NET_BIND_SERVICE, true},
    {"NET_BROADCAST", CAP_NET_BROADCAST, true},
    {"NET_ADMIN", CAP_NET_ADMIN, false},
    {"VE_ADMIN", CAP_NET_ADMIN, false},
    {"NET_RAW", CAP_NET_RAW, true},
    {"IPC_LOCK", CAP_IPC_LOCK, true},
    {"IPC_OWNER", CAP_IPC_OWNER, true},
    {"SYS_MODULE", CAP_SYS_MODULE, false},
    {"SYS_RAWIO", CAP_SYS_RAWIO, false},
    {"SYS_CHROOT", CAP_SYS_CHROOT, true},
    {"SYS_PTRACE", CAP_SYS_PTRACE, true},
    {"SYS_PACCT", CAP_SYS_PACCT, false},
    {"SYS_ADMIN", CAP_SYS_ADMIN, false},
    {"SYS_BOOT", CAP_SYS_BOOT, true},
    {"SYS_NICE", CAP_SYS_NICE, true},
    {"SYS_RESOURCE", CAP_SYS_RESOURCE, false},
    {"SYS_TIME", CAP_SYS_TIME, false},
    {"SYS_TTY_CONFIG", CAP_SYS_TTY_CONFIG, true},
    {"MKNOD", CAP_MKNOD, true},
    {"LEASE", CAP_LEASE, true},
    {"AUDIT_WRITE", CAP_AUDIT_WRITE, true},
    {"AUDIT_CONTROL", CAP_AUDIT_CONTROL, false},
    {"SETFCAP", CAP_SETFCAP, true},
    {"MAC_OVERRIDE", CAP_MAC_OVERRIDE, false},
    {"MAC_ADMIN", CAP_MAC_ADMIN, false},
    {"SYSLOG", CAP_SYSLOG, false},
    {"WAKE_ALARM", CAP_WAKE_ALARM, false},
    {"BLOCK_SUSPEND", CAP_BLOCK_SUSPEND, false},
    {"AUDIT_READ", CAP_AUDIT_READ, false},
    {"PERFMON", CAP_PERFMON, false},
    {"BPF", CAP_BPF, false},
    {"CHECKPOINT_RESTORE", CAP_CHECKPOINT_RESTORE, false},
});

const CapName *find_cap(std::string_view name) {
    std::string upper = to_upper(name);
    std::string_view bare = upper;
    if (bare.starts_with("CAP_"))
        bare.remove_prefix(4);
    auto it = std::ranges::find(kCaps, bare, &CapName::name);
    return it == kCaps.end() ? nullptr : &*it;
}

struct CapSetting {
    const CapName *cap;
    bool on;
};

CapSetting parse_one(std::string_view item) {
    auto colon = item.rfind(':');
    if (colon == std::string_view::npos)
        throw Error(VZ_INVALID_PARAMETER_VALUE,
                    "Invalid capability setting '" + std::string(item) + "': expected NAME:on|off");
    const CapName *cap = find_cap(item.substr(0, colon));
    if (!cap)
        throw Error(VZ_INVALID_PARAMETER_VALUE,
                    "Unknown capability '" + std::string(item.substr(0, colon)) + "'");
    std::string state = to_lower(item.substr(colon + 1));
    if (state != "on" && state != "off")
        throw Error(VZ_INVALID_PARAMETER_VALUE, "Invalid capability state '" + state + "' for " +
                                                    std::string(cap->name) + ": use on or off");
    return {cap, state == "on"};
}

} // namespace

CapMask default_capability_mask() {
    CapMask mask = 0;
    for (const auto &cap : kCaps)
        if (cap.in_default)
            mask |= CapMask{1} << cap.number;
    return mask;
}

CapMask apply_capability_setting(CapMask mask, std::string_view setting) {
    for (const auto &item : split_setting_list(setting)) {
        CapSetting s = parse_one(item);
        CapMask bit = CapMask{1} << s.cap->number;
        mask = s.on ? (mask | bit) : (mask & ~bit);
    }
    return mask;
}

std::string merge_capability_setting(std::string_view current, std::string_view update) {
    // Later settings of the same capability replace earlier ones; order of
    // first appearance is kept so the saved line stays stable.
    std::vector<std::pair<std::string, bool>> merged;
    auto put = [&merged](std::string_view item) {
        CapSetting s = parse_one(item);
        std::string name(s.cap->name);
        auto it = std::ranges::find(merged, name, &std::pair<std::string, bool>::first);
        if (it == merged.end())
            merged.emplace_back(name, s.on);
        else
            it->second = s.on;
    };
    for (const auto &item : split_setting_list(current))
        put(item);
    for (const auto &item : split_setting_list(update))
        put(item);
    std::vector<std::string> out;
    for (const auto &[name, on] : merged)
        out.push_back(name + (on ? ":on" : ":off"));
    return join(out, " ");
}

std::vector<std::pair<std::string, bool>> capability_switches(std::string_view setting) {
    std::map<int, bool> state;
    for (const auto &item : split_setting_list(setting)) {
        try {
            CapSetting s = parse_one(item);
            state[s.cap->number] = s.on;
        } catch (const Error &) {
            // A hand-edited config's stray word shows as nothing.
        }
    }
    std::vector<std::pair<std::string, bool>> out;
    for (const auto &[number, on] : state) {
        auto it = std::ranges::find(kCaps, number, &CapName::number);
        out.emplace_back(to_lower(it->name), on);
    }
    return out;
}

} // namespace vz
