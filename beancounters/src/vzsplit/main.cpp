// vzsplit -n N [-f name] [-s swapKB]: a sample config that gives each of N
// containers an equal share of this host (RAM, swap, processes, kernel
// memory), written to $VZ_CONFDIR/conf/ve-<name>.conf-sample or stdout.
// Exit status 0, or 1 on any error.
#include "vzkit/error.h"
#include "vzkit/ubc_tools.h"
#include "vzkit/util.h"
#include "vzkit/ve_config.h"

#include <unistd.h>

#include <iostream>

namespace {

constexpr std::string_view kUsage =
    "Usage: vzsplit [-n numves] [-f config_name] [-s swap_size_KB]\n";

std::uint64_t number(const char *opt, std::string_view text) {
    auto v = vz::parse_number<std::uint64_t>(text);
    if (!v)
        throw vz::Error(1, std::string("Invalid value for ") + opt + ": " + std::string(text));
    return *v;
}

int run(int argc, char **argv) {
    vz::ubc::SplitInput in;
    std::optional<std::string> name;
    int opt;
    while ((opt = getopt(argc, argv, "n:f:s:v:h")) != -1) {
        switch (opt) {
        case 'n':
            in.containers = static_cast<unsigned>(number("-n", optarg));
            if (in.containers == 0 || in.containers > 10000)
                throw vz::Error(1, "The number of containers must be 1..10000");
            break;
        case 'f':
            name = optarg;
            if (name->empty() || name->find('/') != std::string::npos)
                throw vz::Error(1, "Invalid config name: " + *name);
            break;
        case 's':
            in.swap_bytes = number("-s", optarg) * 1024;
            break;
        case 'v': // OpenVZ's vswap switch: always on here
            break;
        default:
            std::cerr << kUsage;
            return opt == 'h' ? 0 : 1;
        }
    }
    auto host = vz::ubc::parse_meminfo(vz::read_file("/proc/meminfo").value_or(""));
    if (!host)
        throw vz::Error(1, "Unable to read /proc/meminfo");
    in.host = *host;
    auto pid_max = vz::read_file("/proc/sys/kernel/pid_max").value_or("32768");
    if (auto n = vz::parse_number<std::uint64_t>(vz::trim(pid_max)))
        in.max_tasks = *n;

    std::string text =
        "# One of " + std::to_string(in.containers) + " equal containers of this host (vzsplit)\n";
    for (const auto &[key, value] : vz::ubc::split(in))
        text += key + "=\"" + value + "\"\n";
    if (!name) {
        std::cout << text;
        return 0;
    }
    const auto path = vz::ct_conf_dir() / ("ve-" + *name + ".conf-sample");
    vz::write_file_atomic(path, text);
    std::cout << "Config " << path.string() << " was created\n";
    return 0;
}

} // namespace

int main(int argc, char **argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception &e) {
        std::cerr << "vzsplit: " << e.what() << '\n';
    }
    return 1;
}
