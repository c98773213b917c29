#include "set_params.h"

#include "options.h"

#include "vzkit/capability.h"
#include "vzkit/cgroup.h"
#include "vzkit/error.h"
#include "vzkit/features.h"
#include "vzkit/net_options.h"
#include "vzkit/ubc.h"
#include "vzkit/util.h"

#include <boost/program_options.hpp>

#include <unistd.h>

#include <charconv>

namespace po = boost::program_options;

namespace vzctl {
namespace {

[[noreturn]] void bad_value(std::string_view option, std::string_view value) {
    throw vz::Error(vz::VZ_INVALID_PARAMETER_VALUE,
                    "Invalid value for --" + std::string(option) + ": " + std::string(value));
}

std::uint64_t parse_uint(std::string_view option, std::string_view text) {
    std::uint64_t value = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || ptr != text.data() + text.size() || text.empty())
        bad_value(option, text);
    return value;
}

std::string yes_no(std::string_view option, std::string_view text) {
    std::string v = vz::to_lower(text);
    if (v != "yes" && v != "no")
        bad_value(option, text);
    return v;
}

std::string cpulimit(std::string_view text) {
    // N% is a share of the whole machine; stored as percent of one CPU.
    bool whole_machine = text.ends_with('%');
    auto number = parse_uint("cpulimit", whole_machine ? text.substr(0, text.size() - 1) : text);
    if (whole_machine)
        number *= static_cast<std::uint64_t>(sysconf(_SC_NPROCESSORS_ONLN));
    return std::to_string(number);
}

std::string cpumask(std::string_view text) {
    if (text == "all")
        return "all";
    for (const auto &part : vz::split(text, ',')) {
        auto dash = part.find('-');
        std::uint64_t lo = parse_uint("cpumask", std::string_view(part).substr(0, dash));
        if (dash != std::string::npos &&
            parse_uint("cpumask", std::string_view(part).substr(dash + 1)) < lo)
            bad_value("cpumask", text);
    }
    return std::string(text);
}

std::string ram_or_swap(std::string_view option, std::string_view text) {
    auto bytes = vz::ubc::parse_bytes(text);
    if (!bytes)
        bad_value(option, text);
    std::uint64_t pages = *bytes == vz::ubc::kUnlimited ? *bytes : *bytes / vz::ubc::kPageSize;
    return vz::ubc::format_value({0, pages});
}

// Networking and distribution options (vzkit/net_options.h holds their
// semantics); the repeatable ones accumulate as OpenVZ's do.
void add_network_options(po::options_description &desc) {
    for (const char *name : {"ipadd", "ip", "ipdel", "nameserver", "searchdomain", "userpasswd",
                             "netif_add", "netif_del"})
        desc.add_options()(name, po::value<std::vector<std::string>>()->composing());
    for (const char *name : {"ifname", "mac", "host_ifname", "host_mac", "bridge", "ostemplate"})
        desc.add_options()(name, po::value<std::string>());
    desc.add_options()("skip_arpdetect", po::bool_switch());
}

vz::net::NetSetArgs network_args(const po::variables_map &vm) {
    auto list = [&vm](const char *name) {
        return vm.count(name) ? vm[name].as<std::vector<std::string>>()
                              : std::vector<std::string>{};
    };
    auto one = [&vm](const char *name) {
        return vm.count(name) ? std::optional(vm[name].as<std::string>()) : std::nullopt;
    };
    vz::net::NetSetArgs a;
    a.ipadd = list("ipadd");
    for (auto &ip : list("ip"))
        a.ipadd.push_back(ip);
    a.ipdel = list("ipdel");
    a.nameserver = list("nameserver");
    a.searchdomain = list("searchdomain");
    a.userpasswd = list("userpasswd");
    a.netif_add = list("netif_add");
    a.netif_del = list("netif_del");
    a.ifname = one("ifname");
    a.mac = one("mac");
    a.host_ifname = one("host_ifname");
    a.host_mac = one("host_mac");
    a.bridge = one("bridge");
    return a;
}

} // namespace

SetRequest parse_set_options(const std::vector<std::string> &args, const vz::VeConfig &config) {
    const std::string current_caps = config.get_or("CAPABILITY", "");
    po::options_description desc("set options");
    desc.add_options()("save", po::bool_switch())("force", po::bool_switch())(
        "setmode", po::value<std::string>())("ram", po::value<std::string>())(
        "swap", po::value<std::string>())("cpuunits", po::value<std::string>())(
        "cpulimit", po::value<std::string>())("cpus", po::value<std::string>())(
        "cpumask", po::value<std::string>())("onboot", po::value<std::string>())(
        "disabled", po::value<std::string>())("capability",
                                              po::value<std::vector<std::string>>()->composing())(
        "features", po::value<std::vector<std::string>>()->composing())(
        "devices", po::value<std::vector<std::string>>()->composing())(
        "devnodes", po::value<std::vector<std::string>>()->composing())("hostname",
                                                                        po::value<std::string>())(
        "name", po::value<std::string>())("description", po::value<std::string>())(
        "stop-timeout", po::value<std::string>())("bootorder", po::value<std::string>());
    add_network_options(desc);
    for (const auto &res : vz::ubc::resources())
        desc.add_options()(std::string(res.option).c_str(), po::value<std::string>());

    const po::variables_map vm = parse_options(args, desc);

    SetRequest req;
    auto value = [&vm](const char *name) -> const std::string * {
        return vm.count(name) ? &vm[name].as<std::string>() : nullptr;
    };
    auto put = [&req](const std::string &key, std::string v) { req.changes[key] = std::move(v); };

    req.options.save = vm["save"].as<bool>();
    req.options.force = vm["force"].as<bool>();
    if (auto v = value("setmode")) {
        if (*v != "restart" && *v != "ignore")
            bad_value("setmode", *v);
        req.options.setmode_restart = *v == "restart";
    }
    for (const auto &res : vz::ubc::resources()) {
        if (auto v = value(std::string(res.option).c_str())) {
            auto parsed = vz::ubc::parse_value(*v, res.unit);
            if (!parsed)
                bad_value(res.option, *v);
            put(std::string(res.key), vz::ubc::format_value(*parsed));
        }
    }
    if (auto v = value("ram"))
        put("PHYSPAGES", ram_or_swap("ram", *v));
    if (auto v = value("swap"))
        put("SWAPPAGES", ram_or_swap("swap", *v));
    if (auto v = value("cpuunits")) {
        auto n = parse_uint("cpuunits", *v);
        if (n < 8 || n > 500000)
            bad_value("cpuunits", *v + " (must be 8..500000)");
        put("CPUUNITS", std::to_string(n));
    }
    if (auto v = value("cpulimit"))
        put("CPULIMIT", cpulimit(*v));
    if (auto v = value("cpus"))
        put("CPUS", std::to_string(parse_uint("cpus", *v)));
    if (auto v = value("cpumask"))
        put("CPUMASK", cpumask(*v));
    if (auto v = value("onboot"))
        put("ONBOOT", yes_no("onboot", *v));
    if (auto v = value("disabled"))
        put("DISABLED", yes_no("disabled", *v));
    if (auto v = value("hostname")) {
        if (v->empty() || v->size() > 64)
            throw vz::Error(vz::VZ_BADHOSTNAME, "Invalid hostname: '" + *v + "'");
        put("HOSTNAME", *v);
    }
    if (auto v = value("name")) {
        if (!req.options.save)
            throw vz::Error(vz::VZ_SET_NAME_ERROR, "Unable to set the name without --save");
        put("NAME", *v);
    }
    if (auto v = value("description"))
        put("DESCRIPTION", *v);
    if (auto v = value("stop-timeout"))
        put("STOP_TIMEOUT", std::to_string(parse_uint("stop-timeout", *v)));
    if (auto v = value("bootorder"))
        put("BOOTORDER", std::to_string(parse_uint("bootorder", *v)));
    if (vm.count("capability")) {
        std::string merged = current_caps;
        for (const auto &item : vm["capability"].as<std::vector<std::string>>())
            merged = vz::merge_capability_setting(merged, item);
        put("CAPABILITY", merged);
    }
    if (vm.count("features")) {
        std::string merged = config.get_or("FEATURES", "");
        for (const auto &item : vm["features"].as<std::vector<std::string>>())
            merged = vz::merge_features_setting(merged, item);
        put("FEATURES", merged);
    }
    for (const auto &[option, key] :
         {std::pair{"devices", "DEVICES"}, std::pair{"devnodes", "DEVNODES"}}) {
        if (!vm.count(option))
            continue;
        std::string joined;
        for (const auto &item : vm[option].as<std::vector<std::string>>())
            joined += (joined.empty() ? "" : " ") + item;
        std::string normalized = joined;
        std::ranges::replace(normalized, ',', ' ');
        put(key, normalized == "none" ? "" : normalized);
    }
    for (auto &[key, v] : vz::net::network_changes(network_args(vm), config))
        put(key, std::move(v));
    if (auto v = value("ostemplate")) {
        if (!req.options.save)
            throw vz::Error(vz::VZ_INVALID_PARAMETER_SYNTAX, "--ostemplate needs --save");
        put("OSTEMPLATE", *v);
    }
    if (req.changes.empty() && !req.options.save)
        throw vz::Error(vz::VZ_INVALID_PARAMETER_SYNTAX, "Nothing to set");
    return req;
}

} // namespace vzctl
