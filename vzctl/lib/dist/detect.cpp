// dist::detect(): what a container's tree says it is, read through CtRoot so
// that the container's symlinks resolve inside it.
#include "vzkit/dist/detect.h"

#include "vzkit/dist/ct_root.h"
#include "vzkit/base/util.h"

#include <array>

namespace vz::dist {
namespace {

// A file whose presence in the container marks a network stack; the first
// match in this order wins (netplan renders into networkd, so it comes first;
// a systemd distribution ships networkd without running it, so the binary
// alone counts last).
struct StackMark {
    std::string_view stack;
    std::string_view path;
    bool dir;
};
constexpr std::array kStackMarks = {
    StackMark{"netplan", "/etc/netplan", true},
    StackMark{"ifcfg", "/etc/sysconfig/network-scripts/ifup-eth", false},
    StackMark{"nm-keyfile", "/usr/sbin/NetworkManager", false},
    StackMark{"sysconfig", "/etc/sysconfig/network", true},
    StackMark{"netifrc", "/etc/init.d/net.lo", false},
    StackMark{"slackware", "/etc/rc.d/rc.inet1.conf", false},
    StackMark{"networkd", "/etc/systemd/system/multi-user.target.wants/systemd-networkd.service",
              false},
    StackMark{"ifupdown", "/etc/network/interfaces", false},
    StackMark{"networkd", "/usr/lib/systemd/systemd-networkd", false},
    StackMark{"networkd", "/lib/systemd/systemd-networkd", false},
};

// Distributions older than os-release name themselves in a file of their own.
constexpr std::array<std::pair<std::string_view, std::string_view>, 8> kReleaseFiles = {{
    {"/etc/alpine-release", "alpine"},
    {"/etc/arch-release", "arch"},
    {"/etc/gentoo-release", "gentoo"},
    {"/etc/slackware-version", "slackware"},
    {"/etc/SuSE-release", "suse"},
    {"/etc/fedora-release", "fedora"},
    {"/etc/redhat-release", "rhel"},
    {"/etc/debian_version", "debian"},
}};

} // namespace

const std::vector<std::string_view> &network_stacks() {
    static const std::vector<std::string_view> stacks = {"netplan",   "ifcfg",   "nm-keyfile",
                                                         "sysconfig", "netifrc", "slackware",
                                                         "networkd",  "ifupdown"};
    return stacks;
}

std::map<std::string, std::string> parse_os_release(std::string_view text) {
    std::map<std::string, std::string> result;
    for (const auto &raw : split(text, '\n')) {
        auto line = trim(raw);
        auto eq = line.find('=');
        if (line.empty() || line.front() == '#' || eq == std::string_view::npos)
            continue;
        std::string value(trim(line.substr(eq + 1)));
        if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
            value.back() == value.front())
            value = value.substr(1, value.size() - 2);
        result.emplace(std::string(trim(line.substr(0, eq))), value);
    }
    return result;
}

Detected detect(const std::filesystem::path &root) {
    Detected d;
    const CtRoot tree = CtRoot::at(root);
    if (!tree.valid())
        return d;
    auto text = tree.read("/etc/os-release", 65536);
    if (!text)
        text = tree.read("/usr/lib/os-release", 65536);
    if (text) {
        auto fields = parse_os_release(*text);
        d.id = to_lower(fields["ID"]);
        d.version_id = fields["VERSION_ID"];
        for (const auto &like : split_ws(fields["ID_LIKE"]))
            d.id_like.push_back(to_lower(like));
    }
    for (const auto &[file, id] : kReleaseFiles) {
        if (!d.id.empty())
            break;
        if (tree.exists(file, false))
            d.id = id;
    }
    for (const auto &mark : kStackMarks) {
        if (tree.exists(mark.path, mark.dir)) {
            d.network = mark.stack;
            break;
        }
    }
    return d;
}

} // namespace vz::dist
