// Device whitelists: the default set, DEVICES= and DEVNODES= parsing, and
// programming them into the group (v1 devices controller here, v2 eBPF in
// cgroup/bpf_devices.cpp).
#include "cgroup/bpf_devices.h"
#include "cgroup/internal.h"

#include "vzkit/base/error.h"
#include "vzkit/base/util.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <array>

namespace vz {
namespace {

namespace fs = std::filesystem;

// A loop device hands the container any host file as a disk (OpenVZ refuses it too).
constexpr long kLoopMajor = 7;
constexpr long kMaxMajor = (1L << 12) - 1;
constexpr long kMaxMinor = (1L << 20) - 1;

struct RuleSpec {
    char type;
    long major;
    long minor;
    std::string_view access;
};

// Upstream vzctl's list plus tty, which every init opens. The host console
// (c 5:1) is not on it: /dev is populated without a console node, and a
// container that made one must not read or write the host's console.
constexpr std::array kDefaultRules = std::to_array<RuleSpec>({
    {'c', 1, 3, "rwm"},    // null
    {'c', 1, 5, "rwm"},    // zero
    {'c', 1, 7, "rwm"},    // full
    {'c', 1, 8, "rwm"},    // random
    {'c', 1, 9, "rwm"},    // urandom
    {'c', 5, 0, "rwm"},    // tty
    {'c', 5, 2, "rwm"},    // ptmx
    {'c', 136, -1, "rwm"}, // pts/*
    {'c', -1, -1, "m"},    // mknod of any node; opening it is what the rules decide
    {'b', -1, -1, "m"},
});

[[noreturn]] void bad_entry(std::string_view key, std::string_view entry, std::string_view why) {
    throw Error(VZ_INVALID_PARAMETER_VALUE, "Invalid " + std::string(key) + " entry " +
                                                std::string(entry) + ": " + std::string(why));
}

// OpenVZ letters: r, w and q (quota management, no cgroup counterpart, so
// accepted and dropped), or "none".
std::string parse_access(std::string_view perms, std::string_view key, std::string_view entry) {
    if (perms == "none")
        return "";
    if (perms.empty() || perms.find_first_not_of("rwq") != std::string_view::npos)
        bad_entry(key, entry, "permissions must be a combination of r, w and q, or none");
    std::string access;
    for (char c : std::string_view("rw"))
        if (perms.find(c) != std::string_view::npos)
            access += c;
    return access;
}

long device_number(std::string_view text, long max, std::string_view entry) {
    auto value = parse_number<long>(text);
    if (!value || *value < 0 || *value > max)
        bad_entry("DEVICES", entry, "bad device number " + std::string(text));
    return *value;
}

void refuse_loop(const DeviceRule &rule, std::string_view key, std::string_view entry) {
    if (rule.major == kLoopMajor)
        bad_entry(key, entry, "loop devices (major 7) cannot be granted");
}

// "c:10:200:rw", "b:8:all:r" (OpenVZ's any-minor spelling) or "all:rw".
DeviceRule parse_device(std::string_view entry) {
    const auto parts = split(entry, ':', false);
    if (parts.size() == 2 && parts[0] == "all")
        return {'a', -1, -1, parse_access(parts[1], "DEVICES", entry)};
    if (parts.size() != 4 || (parts[0] != "b" && parts[0] != "c"))
        bad_entry("DEVICES", entry, "expected b|c:major:minor|all:perms");
    DeviceRule rule{
        parts[0][0], device_number(parts[1], kMaxMajor, entry),
        parts[2] == "all" || parts[2] == "*" ? -1 : device_number(parts[2], kMaxMinor, entry),
        parse_access(parts[3], "DEVICES", entry)};
    refuse_loop(rule, "DEVICES", entry);
    return rule;
}

bool is_safe_dev_name(std::string_view name) {
    if (name.empty() || name.starts_with('/'))
        return false;
    return std::ranges::none_of(split(name, '/', false), [](const std::string &part) {
        return part.empty() || part == "..";
    });
}

DevNode parse_devnode(std::string_view entry) {
    const auto colon = entry.rfind(':');
    if (colon == std::string_view::npos)
        bad_entry("DEVNODES", entry, "expected name:perms");
    const std::string name(entry.substr(0, colon));
    if (!is_safe_dev_name(name))
        bad_entry("DEVNODES", entry, "the name must be a path below /dev");
    struct stat st {};
    const fs::path node = fs::path("/dev") / name;
    if (::stat(node.c_str(), &st) != 0)
        bad_entry("DEVNODES", entry, node.string() + " does not exist on the host");
    if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
        bad_entry("DEVNODES", entry, node.string() + " is not a device node");
    DeviceRule rule{S_ISCHR(st.st_mode) ? 'c' : 'b', static_cast<long>(major(st.st_rdev)),
                    static_cast<long>(minor(st.st_rdev)),
                    parse_access(entry.substr(colon + 1), "DEVNODES", entry)};
    refuse_loop(rule, "DEVNODES", entry);
    return {name, rule, st.st_mode & (S_IFMT | 07777)};
}

template <typename T, typename Parse>
std::vector<T> parse_list(std::string_view value, Parse parse) {
    std::vector<T> out;
    if (trim(value) == "none")
        return out;
    for (const auto &entry : split_ws(value))
        out.push_back(parse(entry));
    return out;
}

// --- v1 devices controller --------------------------------------------------

std::string number_or_star(long value) {
    return value < 0 ? "*" : std::to_string(value);
}

// "c 1:3 rwm" lines for devices.allow; type 'a' becomes a c and a b line,
// because the kernel reads "a" as "allow everything, rwm" whatever follows it.
std::vector<std::string> v1_lines(const std::vector<DeviceRule> &rules) {
    std::vector<std::string> out;
    for (const auto &rule : rules) {
        std::string access;
        for (char c : std::string_view("rwm"))
            if (rule.access.find(c) != std::string::npos)
                access += c;
        if (access.empty())
            continue;
        const std::string numbers = number_or_star(rule.major) + ":" + number_or_star(rule.minor);
        for (char type :
             rule.type == 'a' ? std::string_view("cb") : std::string_view(&rule.type, 1))
            out.push_back(std::string(1, type) + " " + numbers + " " + access);
    }
    return out;
}

} // namespace

std::vector<DeviceRule> default_device_rules() {
    std::vector<DeviceRule> out;
    for (const auto &spec : kDefaultRules)
        out.push_back({spec.type, spec.major, spec.minor, std::string(spec.access)});
    return out;
}

std::vector<DeviceRule> parse_devices(std::string_view value) {
    auto rules = parse_list<DeviceRule>(value, parse_device);
    // "c:10:200:none" or "q" alone grant nothing.
    std::erase_if(rules, [](const DeviceRule &rule) { return rule.access.empty(); });
    return rules;
}

std::vector<DevNode> parse_devnodes(std::string_view value) {
    return parse_list<DevNode>(value, parse_devnode);
}

std::vector<DeviceRule> device_rules_from_config(const CtConfig &config,
                                                 const std::vector<DevNode> &nodes) {
    auto rules = default_device_rules();
    for (auto &rule : parse_devices(config.get_or("DEVICES", "")))
        rules.push_back(std::move(rule));
    for (const auto &node : nodes)
        rules.push_back(node.rule);
    return rules;
}

// The kernel refuses "deny a" while the group has children (a container that
// made its own groups), so only the exceptions that change are revoked; the
// ones that stay are never briefly denied either.
void cg::v1_set_devices(const fs::path &group, const std::vector<DeviceRule> &rules) {
    const auto wanted = v1_lines(rules);
    const auto current = split(read_value(group / "devices.list").value_or(""), '\n');
    if (std::ranges::find(current, "a *:* rwm") != current.end()) {
        write_value(group / "devices.deny", "a", VZ_SET_DEVICES);
    } else {
        for (const auto &line : current) {
            const auto fields = split_ws(line);
            if (fields.size() == 3 && std::ranges::find(wanted, line) == wanted.end())
                write_value(group / "devices.deny", fields[0] + " " + fields[1] + " rwm",
                            VZ_SET_DEVICES);
        }
    }
    write_values(group / "devices.allow", wanted, VZ_SET_DEVICES);
}

void Cgroup::set_devices(const std::vector<DeviceRule> &rules) const {
    if (mode_ == CgroupMode::V2) {
        cg::bpf_set_device_rules(path("devices"), rules);
        return;
    }
    auto dir = find("devices");
    if (!dir)
        throw Error(VZ_SET_DEVICES, "The devices cgroup controller is not mounted");
    cg::v1_set_devices(*dir, rules);
    // v1 does not pass a new exception down to existing children.
    if (cg::is_dir(*dir / cg::kPayloadName))
        cg::v1_set_devices(*dir / cg::kPayloadName, rules);
}

} // namespace vz
