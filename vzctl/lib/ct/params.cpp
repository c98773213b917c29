#include "vzkit/ct/params.h"

#include "vzkit/backend/device.h"
#include "vzkit/ct/capability.h"
#include "vzkit/ubc/cgroup_limits.h"
#include "vzkit/base/error.h"
#include "vzkit/ct/features.h"
#include "vzkit/net/options.h"
#include "vzkit/storage/quota.h"
#include "vzkit/ubc/ubc.h"
#include "vzkit/base/util.h"
#include "vzkit/base/log.h"
#include "vzkit/ubc/cgroup_limits.h"

#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>

#include <algorithm>
#include <array>

namespace vz::params {
namespace {

[[noreturn]] void bad_value(std::string_view option, std::string_view value) {
    throw Error(VZ_INVALID_PARAMETER_VALUE,
                "Invalid value for --" + std::string(option) + ": " + std::string(value));
}

// The option's values, in order; none when it was not given.
const std::vector<std::string> &values_of(const ParseContext &ctx, std::string_view option) {
    static const std::vector<std::string> kNone;
    auto it = ctx.values.find(option);
    return it == ctx.values.end() ? kNone : it->second;
}

std::optional<std::string> value_of(const ParseContext &ctx, std::string_view option) {
    const auto &values = values_of(ctx, option);
    return values.empty() ? std::nullopt : std::optional(values.back());
}

// The row's own option: the one value of a single-valued row.
std::string the_value(const ParseContext &ctx) {
    return *value_of(ctx, ctx.param.options.front().name);
}

std::string_view the_option(const ParseContext &ctx) {
    return ctx.param.options.front().name;
}

std::uint64_t parse_uint(std::string_view option, std::string_view text) {
    auto value = parse_number<std::uint64_t>(text);
    if (!value)
        bad_value(option, text);
    return *value;
}

std::string number(const ParseContext &ctx) {
    return std::to_string(parse_uint(the_option(ctx), the_value(ctx)));
}

std::string yes_no(const ParseContext &ctx) {
    const std::string v = to_lower(the_value(ctx));
    if (v != "yes" && v != "no")
        bad_value(the_option(ctx), the_value(ctx));
    return v;
}

std::string cpuunits(const ParseContext &ctx) {
    const std::string v = the_value(ctx);
    const auto n = parse_uint("cpuunits", v);
    if (!valid_cpuunits(n))
        bad_value("cpuunits", v + " (must be " + std::to_string(kCpuUnitsMin) + ".." +
                                  std::to_string(kCpuUnitsMax) + ")");
    return std::to_string(n);
}

// N% is a share of the whole machine; stored as percent of one CPU.
std::string cpulimit(const ParseContext &ctx) {
    const std::string v = the_value(ctx);
    const std::string_view t = v;
    const bool whole_machine = t.ends_with('%');
    auto n = parse_uint("cpulimit", whole_machine ? t.substr(0, t.size() - 1) : t);
    if (whole_machine)
        n *= static_cast<std::uint64_t>(sysconf(_SC_NPROCESSORS_ONLN));
    return std::to_string(n);
}

std::string meminfo(const ParseContext &ctx) {
    const std::string v = the_value(ctx);
    if (!kmod::parse_meminfo(v))
        bad_value("meminfo", v);
    return v;
}

// "0-2,7": numbers and ascending ranges.
void check_cpu_list(std::string_view option, const std::string &v) {
    for (const auto &part : split(v, ',')) {
        const std::string_view range = part;
        const auto dash = range.find('-');
        const auto lo = parse_uint(option, range.substr(0, dash));
        if (dash != std::string_view::npos && parse_uint(option, range.substr(dash + 1)) < lo)
            bad_value(option, v);
    }
}

// A CPU list, all, or auto: every CPU of the NODEMASK nodes, which OpenVZ
// wants given (here or already in the config).
std::string cpumask(const ParseContext &ctx) {
    const std::string v = the_value(ctx);
    if (v == "all")
        return v;
    if (v == "auto") {
        if (!value_of(ctx, "nodemask") && !ctx.config.get("NODEMASK"))
            throw Error(VZ_INVALID_PARAMETER_SYNTAX, "--cpumask auto needs --nodemask");
        return v;
    }
    check_cpu_list("cpumask", v);
    return v;
}

// NUMA nodes: a list or all. OpenVZ sets them together with the CPUs.
std::string nodemask(const ParseContext &ctx) {
    const std::string v = the_value(ctx);
    if (!value_of(ctx, "cpumask") && !ctx.config.get("CPUMASK"))
        throw Error(VZ_INVALID_PARAMETER_SYNTAX, "--nodemask needs --cpumask");
    if (v != "all")
        check_cpu_list("nodemask", v);
    return v;
}

// The raw fair scheduler weight (OpenVZ's CPUUWEIGHT); CPUUNITS wins.
std::string cpuweight(const ParseContext &ctx) {
    const auto n = parse_uint("cpuweight", the_value(ctx));
    if (n == 0)
        bad_value("cpuweight", the_value(ctx));
    return std::to_string(n);
}

std::string ioprio(const ParseContext &ctx) {
    const auto n = parse_uint("ioprio", the_value(ctx));
    if (n > kIoprioMax)
        bad_value("ioprio", the_value(ctx) + " (must be 0..7)");
    return std::to_string(n);
}

// OpenVZ's --iolimit: MB/s without a suffix, B K M G otherwise, unlimited
// or 0 for none; stored in bytes/s, at most 2 GB/s (INT_MAX) as there.
std::string iolimit(const ParseContext &ctx) {
    const std::string v = to_lower(the_value(ctx));
    if (v == "unlimited")
        return "0";
    std::string_view digits = v;
    std::uint64_t scale = 1024 * 1024;
    constexpr std::string_view kSuffixes = "bkmg";
    if (!digits.empty() && kSuffixes.find(digits.back()) != std::string_view::npos) {
        const auto power = kSuffixes.find(digits.back());
        scale = std::uint64_t{1} << (10 * power);
        digits.remove_suffix(1);
    }
    const auto n = parse_uint("iolimit", digits);
    constexpr std::uint64_t kMax = 2147483647;
    const std::uint64_t bytes = n > kMax / scale ? kMax : std::min(n * scale, kMax);
    if (bytes == kMax && n * scale != kMax)
        log_warning("--iolimit " + the_value(ctx) + " is more than 2 GB/s: truncated to " +
                    std::to_string(kMax) + " bytes/s");
    return std::to_string(bytes);
}

std::string iopslimit(const ParseContext &ctx) {
    const std::string v = to_lower(the_value(ctx));
    if (v == "unlimited")
        return "0";
    return std::to_string(parse_uint("iopslimit", v));
}

// VE_ROOT, VE_PRIVATE: saved as given, $VEID and all.
std::string path_value(const ParseContext &ctx) {
    const std::string v = the_value(ctx);
    if (v.empty() || (v.front() != '/' && !v.starts_with("$VEID")))
        bad_value(the_option(ctx), v + " (an absolute path)");
    return v;
}

std::string mount_opts(const ParseContext &ctx) {
    const std::string v = the_value(ctx);
    if (v.find_first_of(" \t\"") != std::string::npos)
        bad_value("mount_opts", v);
    return v;
}

std::string vm_overcommit(const ParseContext &ctx) {
    const std::string v = the_value(ctx);
    char *end = nullptr;
    const double f = std::strtod(v.c_str(), &end);
    if (v.empty() || end != v.c_str() + v.size() || !(f >= 0))
        bad_value("vm_overcommit", v);
    return v;
}

std::string netfilter(const ParseContext &ctx) {
    const std::string v = to_lower(the_value(ctx));
    for (std::string_view known : {"disabled", "stateless", "stateful", "full"})
        if (v == known)
            return v;
    bad_value("netfilter", the_value(ctx) + " (disabled, stateless, stateful or full)");
}

// OpenVZ's netfilter module names (--iptables, deprecated by --netfilter).
constexpr auto kIptablesModules = std::to_array<std::string_view>({
    "ip_tables", "iptable_filter", "iptable_mangle", "ipt_limit", "ipt_multiport", "ipt_tos",
    "ipt_TOS", "ipt_REJECT", "ipt_TCPMSS", "ipt_tcpmss", "ipt_ttl", "ipt_LOG", "ipt_length",
    "ip_conntrack", "ip_conntrack_ftp", "ip_conntrack_irc", "ipt_conntrack", "ipt_state",
    "ipt_helper", "iptable_nat", "ip_nat_ftp", "ip_nat_irc", "ipt_REDIRECT", "xt_mac",
    "ipt_recent", "ipt_owner",
});

// Unknown names are skipped with a warning, as OpenVZ does.
std::string iptables(const ParseContext &ctx) {
    std::vector<std::string> names;
    for (const auto &value : values_of(ctx, "iptables"))
        for (const auto &name : split_setting_list(value)) {
            if (std::ranges::find(kIptablesModules, name) == kIptablesModules.end()) {
                log_warning("Unknown iptable module: " + name + ", skipped");
                continue;
            }
            if (std::ranges::find(names, name) == names.end())
                names.push_back(name);
        }
    return join(names, " ");
}

// NETDEV / PCI: the config's list, then --*_add and --*_del in order.
template <std::string (*Check)(std::string_view)>
std::string incremental_list(const ParseContext &ctx) {
    const auto &add = ctx.param.options.at(0).name;
    const auto &del = ctx.param.options.at(1).name;
    std::vector<std::string> list = split_ws(ctx.config.get_or(ctx.param.key, ""));
    for (const auto &value : values_of(ctx, add)) {
        const std::string item = Check(value);
        if (std::ranges::find(list, item) == list.end())
            list.push_back(item);
    }
    for (const auto &value : values_of(ctx, del))
        std::erase(list, Check(value));
    return join(list, " ");
}

// A host network device to move into the container; OpenVZ refuses its own
// virtual ones and the loopback.
std::string netdev_name(std::string_view name) {
    const std::string n(name);
    for (std::string_view prefix : {"venet", "tun", "tap", "lo"})
        if (n.starts_with(prefix))
            throw Error(VZ_INVALID_PARAMETER_VALUE,
                        "Network device " + n + " cannot be moved into a container");
    if (n.empty() || n.size() > 15 || n.find_first_of("/ :\t") != std::string::npos)
        throw Error(VZ_INVALID_PARAMETER_VALUE, "Invalid network device name " + n);
    return n;
}

// [domain:]bus:slot.func, normalised to 0000:01:00.0.
std::string pci_address(std::string_view text) {
    const auto parts = split(text, ':');
    unsigned domain = 0, bus = 0, slot = 0, func = 0;
    std::string rest;
    auto hex = [&](std::string_view t, unsigned max) {
        unsigned v = 0;
        if (t.empty() || t.size() > 4)
            throw Error(VZ_INVALID_PARAMETER_VALUE, "Invalid PCI address " + std::string(text));
        for (char c : t) {
            const auto d = std::string_view("0123456789abcdef").find(
                static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
            if (d == std::string_view::npos)
                throw Error(VZ_INVALID_PARAMETER_VALUE, "Invalid PCI address " + std::string(text));
            v = v * 16 + static_cast<unsigned>(d);
        }
        if (v > max)
            throw Error(VZ_INVALID_PARAMETER_VALUE, "Invalid PCI address " + std::string(text));
        return v;
    };
    if (parts.size() == 3) {
        domain = hex(parts[0], 0xffff);
        bus = hex(parts[1], 0xff);
        rest = parts[2];
    } else if (parts.size() == 2) {
        bus = hex(parts[0], 0xff);
        rest = parts[1];
    } else {
        throw Error(VZ_INVALID_PARAMETER_VALUE, "Invalid PCI address " + std::string(text));
    }
    const auto dot = rest.find('.');
    if (dot == std::string::npos)
        throw Error(VZ_INVALID_PARAMETER_VALUE, "Invalid PCI address " + std::string(text));
    slot = hex(std::string_view(rest).substr(0, dot), 0x1f);
    func = hex(std::string_view(rest).substr(dot + 1), 7);
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04x:%02x:%02x.%x", domain, bus, slot, func);
    return buf;
}

// AVNUMPROC: barrier[:limit] items, as the UBCs; kept for the tools
// (vzcfgvalidate, vzsplit), never a limit.
std::string avnumproc(const ParseContext &ctx) {
    auto parsed = ubc::parse_value(the_value(ctx), ubc::Unit::Items);
    if (!parsed)
        bad_value("avnumproc", the_value(ctx));
    return ubc::format_value(*parsed);
}

std::string hostname(const ParseContext &ctx) {
    const std::string v = the_value(ctx);
    if (v.empty() || v.size() > 64)
        throw Error(VZ_BADHOSTNAME, "Invalid hostname: '" + v + "'");
    return v;
}

std::string name(const ParseContext &ctx) {
    if (!ctx.save)
        throw Error(VZ_SET_NAME_ERROR, "Unable to set the name without --save");
    return the_value(ctx);
}

std::string ostemplate(const ParseContext &ctx) {
    if (!ctx.save)
        throw Error(VZ_INVALID_PARAMETER_SYNTAX, "--ostemplate needs --save");
    return the_value(ctx);
}

// DISKSPACE / DISKINODES: "S[:H]", stored as "S:H" (KB for the space).
template <auto Parse> std::string disk_limit(const ParseContext &ctx) {
    const auto pair = Parse(the_value(ctx));
    if (!pair)
        bad_value(the_option(ctx), the_value(ctx));
    return std::to_string(pair->first) + ":" + std::to_string(pair->second);
}

// NAME:on|off lists: each value merges into what the config has.
template <std::string (*Merge)(std::string_view, std::string_view)>
std::string setting_list(const ParseContext &ctx) {
    std::string merged = ctx.config.get_or(ctx.param.key, "");
    for (const auto &item : values_of(ctx, the_option(ctx)))
        merged = Merge(merged, item);
    return merged;
}

// DEVICES / DEVNODES: space- or comma-separated rules; "none" clears.
std::string device_list(const ParseContext &ctx) {
    std::string joined = join(values_of(ctx, the_option(ctx)), " ");
    std::ranges::replace(joined, ',', ' ');
    return joined == "none" ? "" : joined;
}

std::string ip_address(const ParseContext &ctx) {
    return net::ip_address_value(values_of(ctx, "ipadd"), values_of(ctx, "ipdel"), ctx.config);
}

std::string nameserver(const ParseContext &ctx) {
    return net::dns_list("nameserver", values_of(ctx, "nameserver"), true);
}

std::string searchdomain(const ParseContext &ctx) {
    return net::dns_list("searchdomain", values_of(ctx, "searchdomain"), false);
}

std::string userpasswd(const ParseContext &ctx) {
    return net::userpasswd_value(values_of(ctx, "userpasswd"));
}

std::string netif(const ParseContext &ctx) {
    net::VethArgs veth{value_of(ctx, "ifname"), value_of(ctx, "mac"), value_of(ctx, "host_ifname"),
                       value_of(ctx, "host_mac"), value_of(ctx, "bridge"),
                       value_of(ctx, "mac_filter")};
    return net::netif_value(values_of(ctx, "netif_add"), values_of(ctx, "netif_del"), veth,
                            ctx.config);
}

// --ram / --swap: bytes (suffixes K M G T), stored as "0:<pages>".
std::string bytes_as_pages(std::string_view option, std::string_view text) {
    auto bytes = ubc::parse_bytes(text);
    if (!bytes)
        bad_value(option, text);
    const std::uint64_t pages = *bytes == ubc::kUnlimited ? *bytes : *bytes / ubc::kPageSize;
    return ubc::format_value({0, pages});
}

// The byte-sized spellings of two UBC keys; when both are given, these win.
struct BytesOption {
    std::string_view key;
    OptionSpec option;
};
const std::vector<BytesOption> &bytes_options() {
    static const std::vector<BytesOption> kOptions = {
        {"PHYSPAGES",
         {.name = "ram", .value_name = "<bytes>", .help = "RAM (K, M, G, T suffixes)",
          .example = "256M"}},
        {"SWAPPAGES",
         {.name = "swap", .value_name = "<bytes>", .help = "swap (K, M, G, T suffixes)",
          .example = "128M"}},
    };
    return kOptions;
}

std::string ubc_value(const ParseContext &ctx) {
    const ubc::Resource *res = ubc::find_resource_by_key(ctx.param.key);
    std::string stored;
    if (auto v = value_of(ctx, res->option)) {
        auto parsed = ubc::parse_value(*v, res->unit);
        if (!parsed)
            bad_value(res->option, *v);
        stored = ubc::format_value(*parsed);
    }
    for (const auto &extra : bytes_options())
        if (extra.key == ctx.param.key)
            if (auto v = value_of(ctx, extra.option.name))
                stored = bytes_as_pages(extra.option.name, *v);
    return stored;
}

OptionSpec single(std::string_view name, std::string_view value_name, std::string_view help,
                  std::string_view example) {
    return {.name = name, .value_name = value_name, .help = help, .example = example};
}

OptionSpec repeated(std::string_view name, std::string_view value_name, std::string_view help,
                    std::string_view example) {
    OptionSpec o = single(name, value_name, help, example);
    o.repeatable = true;
    return o;
}

// A veth interface's companion option: it changes the interface the last
// --ifname named, so it needs --ifname.
OptionSpec of_ifname(std::string_view name, std::string_view value_name, std::string_view help,
                     std::string_view example) {
    OptionSpec o = single(name, value_name, help, example);
    o.needs = "ifname";
    return o;
}

// The UBCs that are also cgroup limits (vzkit/ubc/cgroup_limits.h).
constexpr std::array<std::string_view, 3> kCgroupUbcKeys = {"PHYSPAGES", "SWAPPAGES", "NUMPROC"};

std::vector<Param> build_table() {
    std::vector<Param> t = {
        {.key = "CPUUNITS",
         .options = {single("cpuunits", "<N>", "CPU weight, 8..500000", "1000")},
         .parse = cpuunits,
         .apply = kCgroup},
        {.key = "CPULIMIT",
         .options = {single("cpulimit", "<N[%]>",
                            "CPU limit in % of one CPU (N% with the sign: of the machine)", "50")},
         .parse = cpulimit,
         .apply = kCgroup | kModule},
        {.key = "CPUS",
         .options = {single("cpus", "<N>", "number of CPUs the container may use", "1")},
         .parse = number,
         .apply = kCgroup | kModule},
        {.key = "CPUUWEIGHT", // OpenVZ's spelling
         .options = {single("cpuweight", "<N>", "raw CPU weight, when CPUUNITS is not set",
                            "500")},
         .parse = cpuweight,
         .apply = kCgroup},
        {.key = "MEMINFO",
         .options = {single("meminfo", "none|pages:<N>|privvmpages:<N>",
                            "what /proc/meminfo and free show (default: the RAM limit)",
                            "pages:65536")},
         .parse = meminfo,
         .apply = kModule},
        {.key = "CPUMASK",
         .options = {single("cpumask", "<cpus>|all|auto",
                            "CPUs the container may run on (auto: those of --nodemask)", "0")},
         .parse = cpumask,
         .apply = kCgroup},
        {.key = "NODEMASK",
         .options = {{.name = "nodemask",
                      .value_name = "<nodes>|all",
                      .help = "NUMA nodes for its memory (with --cpumask)",
                      .example = "0",
                      .needs = "cpumask"}},
         .parse = nodemask,
         .apply = kCgroup},
        {.key = "IOPRIO",
         .options = {single("ioprio", "<0..7>", "disk I/O priority (weight), 4 by default", "4")},
         .parse = ioprio,
         .apply = kCgroup},
        {.key = "IOLIMIT",
         .options = {single("iolimit", "<N>[B|K|M|G]|unlimited",
                            "disk bandwidth limit, MB/s without a suffix", "10")},
         .parse = iolimit,
         .apply = kCgroup},
        {.key = "IOPSLIMIT",
         .options = {single("iopslimit", "<N>|unlimited", "disk operations per second", "100")},
         .parse = iopslimit,
         .apply = kCgroup},
        {.key = "ONBOOT",
         .options = {single("onboot", "yes|no", "start the container at boot", "yes")},
         .parse = yes_no},
        {.key = "DISABLED",
         .options = {single("disabled", "yes|no", "refuse to start the container", "no")},
         .parse = yes_no},
        {.key = "VM_OVERCOMMIT",
         .options = {single("vm_overcommit", "<float>",
                            "privvmpages as (RAM + swap) x this in VSwap configs", "1.5")},
         .parse = vm_overcommit,
         .apply = kModule},
        {.key = "AVNUMPROC",
         .options = {single("avnumproc", "<barrier[:limit]>",
                            "average process count, for the planning tools", "180:180")},
         .parse = avnumproc},
        {.key = "CAPABILITY",
         .options = {repeated("capability", "<name>:on|off[,...]",
                              "grant or revoke capabilities", "sys_time:on")},
         .parse = setting_list<merge_capability_setting>,
         .apply = kRestart},
        {.key = "FEATURES",
         .options = {repeated("features", "<name>:on|off[,...]",
                              "features (nesting: user namespaces inside)", "nesting:on")},
         .parse = setting_list<merge_features_setting>,
         .apply = kRestart | kDevices | kDevNodes},
        {.key = "DEVICES",
         .options = {repeated("devices", "b|c|all:[major:minor]:r|w|rw|none",
                              "device access rules", "c:10:200:rw")},
         .parse = device_list,
         .apply = kDevices},
        {.key = "DEVNODES",
         .options = {repeated("devnodes", "<device>:r|w|rw|none",
                              "device nodes made in the container's /dev", "net/tun:rw")},
         .parse = device_list,
         .apply = kDevices | kDevNodes},
        {.key = "HOSTNAME",
         .options = {single("hostname", "<name>", "host name", "ct.example.com")},
         .parse = hostname,
         .apply = kHostname | kNetwork},
        {.key = "NAME",
         .options = {single("name", "<name>", "container name (needs --save)", "web1")},
         .parse = name},
        {.key = "DESCRIPTION",
         .options = {single("description", "<text>", "free text", "customer 42")},
         .parse = the_value},
        {.key = "STOP_TIMEOUT",
         .options = {single("stop-timeout", "<seconds>", "how long stop waits for a clean halt",
                            "30")},
         .parse = number},
        {.key = "BOOTORDER",
         .options = {single("bootorder", "<N>", "order of starting at boot", "10")},
         .parse = number},
        {.key = "IP_ADDRESS",
         .options = {{.name = "ipadd",
                      .aliases = {"ip"},
                      .value_name = "<addr>[/<prefix>]",
                      .help = "add addresses (routed networking)",
                      .example = "198.51.100.10",
                      .repeatable = true},
                     repeated("ipdel", "<addr>|all", "remove addresses", "all")},
         .parse = ip_address,
         .apply = kNetwork},
        {.key = "NAMESERVER",
         .options = {repeated("nameserver", "<addr>|inherit", "DNS servers", "198.51.100.1")},
         .parse = nameserver,
         .apply = kNetwork},
        {.key = "SEARCHDOMAIN",
         .options = {repeated("searchdomain", "<domain>|inherit", "DNS search domains",
                              "example.com")},
         .parse = searchdomain,
         .apply = kNetwork},
        {.key = "USERPW",
         .options = {repeated("userpasswd", "<user>:<password>",
                              "set a password inside (never saved)", "root:secret")},
         .parse = userpasswd,
         .apply = kNetwork,
         .transient = true},
        {.key = "NETIF",
         .options = {repeated("netif_add", "<ifname>[,<mac>,<host_ifname>,<host_mac>,<bridge>]",
                              "add a veth interface (bridged networking)", "eth1"),
                     repeated("netif_del", "<ifname>|all", "remove veth interfaces", "all"),
                     single("ifname", "<ifname>", "the veth interface the next options change",
                            "eth0"),
                     of_ifname("mac", "<mac>", "its MAC address inside", "00:18:51:0A:0B:0C"),
                     of_ifname("host_ifname", "<name>", "its name on the host", "veth101.0"),
                     of_ifname("host_mac", "<mac>", "its MAC address on the host",
                               "00:18:51:0A:0B:0D"),
                     of_ifname("bridge", "<name>", "the host bridge it joins", "vzbr0"),
                     of_ifname("mac_filter", "on|off",
                               "OpenVZ's MAC filter (kept in NETIF, not enforced)", "on")},
         .parse = netif,
         .apply = kNetwork},
        {.key = "DISKSPACE",
         .options = {single("diskspace", "<soft>[:<hard>]",
                            "disk space quota, KB (K, M, G, T suffixes)", "100M:110M")},
         .parse = disk_limit<parse_diskspace>,
         .apply = kQuota},
        {.key = "DISKINODES",
         .options = {single("diskinodes", "<soft>[:<hard>]", "disk inode quota", "2000:2200")},
         .parse = disk_limit<parse_diskinodes>,
         .apply = kQuota},
        {.key = "QUOTATIME",
         .options = {single("quotatime", "<seconds>",
                            "grace period past the soft disk limits", "600")},
         .parse = number,
         .apply = kQuota},
        {.key = "DISK_QUOTA",
         .options = {single("diskquota", "yes|no", "disk quota for this container", "yes")},
         .parse = yes_no,
         .apply = kRestart},
        {.key = "QUOTAUGIDLIMIT",
         .options = {single("quotaugidlimit", "<N>",
                            "per-user quota inside (needs a file system of its own)", "0")},
         .parse = number,
         .apply = kRestart},
        {.key = "OSTEMPLATE",
         .options = {single("ostemplate", "<name>", "OS template (needs --save)", "debian-12")},
         .parse = ostemplate},
        // A running container keeps its mounts.
        {.key = "VE_ROOT",
         .options = {single("root", "<path>", "mount point ($VEID: the CTID)", "/vz/root/$VEID")},
         .parse = path_value,
         .apply = kRestart,
         .stopped_only = true},
        {.key = "VE_PRIVATE",
         .options = {single("private", "<path>", "private area ($VEID: the CTID)",
                            "/vz/private/$VEID")},
         .parse = path_value,
         .apply = kRestart,
         .stopped_only = true},
        {.key = "MOUNT_OPTS",
         .options = {single("mount_opts", "<opt>[,<opt>...]", "mount options of a ploop image",
                            "noatime")},
         .parse = mount_opts,
         .not_applied = "OpenVZ mounts ploop images with them; vzkit's simfs layout bind-mounts "
                        "a directory"},
        {.key = "NETFILTER",
         .options = {single("netfilter", "disabled|stateless|stateful|full",
                            "netfilter the container may use", "stateless")},
         .parse = netfilter,
         .apply = kRestart},
        {.key = "IPTABLES",
         .options = {repeated("iptables", "<module>[,...]",
                              "netfilter modules (deprecated: --netfilter)", "iptable_filter")},
         .parse = iptables,
         .not_applied = "every container's network namespace has all of the kernel's netfilter; "
                        "NETFILTER says what it may use"},
        {.key = "NETDEV",
         .options = {repeated("netdev_add", "<ifname>", "move a host network device inside",
                              "eth9"),
                     repeated("netdev_del", "<ifname>", "give it back to the host", "eth9")},
         .parse = incremental_list<netdev_name>,
         .apply = kNetdev},
        {.key = "PCI",
         .options = {repeated("pci_add", "[<domain>:]<bus>:<slot>.<func>",
                              "hand a PCI device to the container", "0000:01:00.0"),
                     repeated("pci_del", "[<domain>:]<bus>:<slot>.<func>", "take it back",
                              "0000:01:00.0")},
         .parse = incremental_list<pci_address>,
         .not_applied = "a container shares the host's kernel and drivers: a PCI device cannot "
                        "be handed to it"},
    };
    // One row per UBC, in /proc/user_beancounters order. Memory, swap and
    // NUMPROC are also cgroup limits, enforced with or without the module.
    for (const ubc::Resource &res : ubc::resources()) {
        Param p{.key = res.key,
                .options = {single(res.option, "<barrier[:limit]>", "user beancounter", "unlimited")},
                .parse = ubc_value,
                .apply = kModule};
        for (const auto &extra : bytes_options())
            if (extra.key == res.key)
                p.options.push_back(extra.option);
        for (const auto &alias : ubc::key_aliases())
            if (alias.key == res.key)
                p.key_aliases.push_back(alias.alias);
        if (std::ranges::find(kCgroupUbcKeys, res.key) != kCgroupUbcKeys.end())
            p.apply |= kCgroup;
        t.push_back(std::move(p));
    }
    return t;
}

constexpr auto kSetFlags = std::to_array<FlagSpec>({
    {"save", "", "store the changes in <CTID>.conf"},
    {"force", "", "also when the container's state says otherwise"},
    {"setmode", "restart|ignore", "restart a running container for what only a start applies"},
    {"skip_arpdetect", "", "accepted for OpenVZ's scripts; vzkit does no ARP detection"},
    {"reset_ub", "", "apply the config's beancounters to the running container again (alone)"},
    {"applyconfig", "<name>",
     "take the parameters of ve-<name>.conf-sample (not HOSTNAME, IP_ADDRESS, OSTEMPLATE, "
     "VE_ROOT, VE_PRIVATE, DESCRIPTION)"},
    {"applyconfig_map", "name", "register the config's NAME again (names/<NAME>)"},
    {"offline-resize", "", "accepted for OpenVZ's scripts (ploop resizing)"},
    {"offline", "", "the same"},
});

// --applyconfig: the sample's keys the table knows, as set by hand, each
// checked as the config loader would; what the command line sets wins, and
// the container's identity stays.
void add_sample_settings(const std::string &name, std::map<std::string, std::string> &changes) {
    constexpr std::array<std::string_view, 6> kKept = {"HOSTNAME", "IP_ADDRESS", "OSTEMPLATE",
                                                       "VE_ROOT",  "VE_PRIVATE", "DESCRIPTION"};
    const auto path = sample_conf_path(name);
    const ConfigFile sample = ConfigFile::load(path);
    if (!sample.exists())
        throw Error(VZ_APPLY_CONFIG_ERROR, "Sample config " + path.string() + " not found");
    for (const auto &[key, value] : sample.values()) {
        const Param *param = find_by_key(key);
        if (!param || param->transient || std::ranges::find(kKept, key) != kKept.end())
            continue;
        changes.try_emplace(std::string(param->key), value);
    }
}

std::string spelled(const OptionSpec &o) {
    std::string s = "--" + std::string(o.name);
    for (auto alias : o.aliases)
        s += ", --" + std::string(alias);
    if (!o.value_name.empty())
        s += " " + std::string(o.value_name);
    return s;
}

void help_line(std::string &out, const std::string &spelling, std::string_view help) {
    constexpr std::size_t kColumn = 36;
    out += "   " + spelling;
    if (!help.empty()) {
        out += spelling.size() < kColumn ? std::string(kColumn - spelling.size(), ' ') : "  ";
        out += help;
    }
    out += '\n';
}

} // namespace

std::span<const Param> all() {
    static const std::vector<Param> kTable = build_table();
    return kTable;
}

const Param *find_by_key(std::string_view key) {
    for (const Param &p : all())
        if (p.key == key || std::ranges::find(p.key_aliases, key) != p.key_aliases.end())
            return &p;
    return nullptr;
}

std::pair<const Param *, const OptionSpec *> find_by_option(std::string_view name) {
    for (const Param &p : all())
        for (const OptionSpec &o : p.options)
            if (o.name == name || std::ranges::find(o.aliases, name) != o.aliases.end())
                return {&p, &o};
    return {nullptr, nullptr};
}

bool is_transient(std::string_view key) {
    const Param *p = find_by_key(key);
    return p && p->transient;
}

unsigned apply_of(std::string_view key) {
    const Param *p = find_by_key(key);
    return p ? p->apply : kConfigOnly;
}

bool needs_restart(std::string_view key) {
    return (apply_of(key) & kRestart) != 0;
}

std::optional<std::string> get_setting(const CtConfig &config, std::string_view key) {
    if (auto value = config.get(key))
        return value;
    if (const Param *p = find_by_key(key))
        for (auto alias : p->key_aliases)
            if (auto value = config.get(alias))
                return value;
    return std::nullopt;
}

std::span<const FlagSpec> set_flags() {
    return kSetFlags;
}

SetRequest to_changes(const Given &given, const CtConfig &config) {
    SetRequest req;
    Values values;
    std::optional<std::string> applyconfig;
    for (const auto &[option, value] : given) {
        if (option == "save") {
            req.flags.save = true;
        } else if (option == "force") {
            req.flags.force = true;
        } else if (option == "setmode") {
            if (value != "restart" && value != "ignore")
                bad_value("setmode", value);
            req.flags.setmode_restart = value == "restart";
        } else if (option == "reset_ub") {
            req.flags.reset_ub = true;
        } else if (option == "applyconfig") {
            applyconfig = value;
        } else if (option == "applyconfig_map") {
            if (value != "name")
                bad_value("applyconfig_map", value + " (the only group is name)");
            req.flags.restore_name = true;
        } else if (option != "skip_arpdetect" && option != "offline-resize" &&
                   option != "offline") {
            const auto [param, spec] = find_by_option(option);
            if (!param)
                throw Error(VZ_INVALID_PARAMETER_SYNTAX,
                            "Invalid option: unrecognised option '--" + option + "'");
            auto &list = values[std::string(spec->name)];
            if (!spec->repeatable && !list.empty())
                throw Error(VZ_INVALID_PARAMETER_SYNTAX, "Invalid option: option '--" +
                                                             std::string(spec->name) +
                                                             "' cannot be specified more than once");
            list.push_back(value);
        }
    }
    for (const Param &p : all()) {
        const bool given_here = std::ranges::any_of(
            p.options, [&](const OptionSpec &o) { return values.contains(o.name); });
        if (given_here)
            req.changes[std::string(p.key)] = p.parse({p, config, values, req.flags.save});
    }
    if (applyconfig)
        add_sample_settings(*applyconfig, req.changes);
    if (req.flags.reset_ub && (!req.changes.empty() || req.flags.restore_name))
        throw Error(VZ_INVALID_PARAMETER_SYNTAX, "--reset_ub must be used alone");
    if (req.changes.empty() && !req.flags.save && !req.flags.reset_ub && !req.flags.restore_name)
        throw Error(VZ_INVALID_PARAMETER_SYNTAX, "Nothing to set");
    return req;
}

std::string set_help() {
    std::string out = "vzctl set <ctid> [parameters]\n";
    for (const FlagSpec &f : kSetFlags)
        help_line(out,
                  "--" + std::string(f.name) +
                      (f.value_name.empty() ? "" : " " + std::string(f.value_name)),
                  f.help);
    for (const Param &p : all())
        for (const OptionSpec &o : p.options)
            help_line(out, spelled(o), o.help);
    return out;
}

} // namespace vz::params
