// vzsplit -n N [-f name] [-s swapKB]: a sample config that gives each of N
// containers an equal share of this host (RAM, swap, processes, kernel
// memory), written to $VZ_CONFDIR/conf/ve-<name>.conf-sample or stdout.
// Exit status 0, or 1 on any error.
#include "vzkit/cli/describe.h"
#include "vzkit/cli/options.h"
#include "vzkit/cli/tool_main.h"
#include "vzkit/base/error.h"
#include "vzkit/ubc/tools.h"
#include "vzkit/base/util.h"
#include "vzkit/base/ct_config.h"

#include <array>
#include <iostream>

namespace {

constexpr std::string_view kUsage =
    "Usage: vzsplit [-n numves] [-f config_name] [-s swap_size_KB]\n";

constexpr auto kOptions = std::to_array<vz::cli::Option>({
    {"", 'n', vz::cli::Arg::kRequired, "<numves>"},
    {"", 'f', vz::cli::Arg::kRequired, "<config_name>"},
    {"", 's', vz::cli::Arg::kRequired, "<swap_size_KB>"},
    {"", 'v', vz::cli::Arg::kRequired, "<value>"}, // OpenVZ's vswap switch, with a value: always on here
    {"", 'h', vz::cli::Arg::kNone},
});

std::uint64_t number(const char *opt, const std::string &text) {
    auto v = vz::parse_number<std::uint64_t>(text);
    if (!v)
        throw vz::Error(1, std::string("Invalid value for ") + opt + ": " + text);
    return *v;
}

int run(std::vector<std::string> args) {
    vz::ubc::SplitInput in;
    std::optional<std::string> name;
    const auto parsed = vz::cli::parse(args, kOptions);
    for (const auto &[option, value] : parsed.given) {
        switch (option->id()) {
        case 'n':
            in.containers = static_cast<unsigned>(number("-n", value));
            if (in.containers == 0 || in.containers > 10000)
                throw vz::Error(1, "The number of containers must be 1..10000");
            break;
        case 'f':
            name = value;
            if (name->empty() || name->find('/') != std::string::npos)
                throw vz::Error(1, "Invalid config name: " + *name);
            break;
        case 's':
            in.swap_bytes = number("-s", value) * 1024;
            break;
        case 'h':
            std::cerr << kUsage; // OpenVZ's: on stderr, and success
            return 0;
        }
    }
    auto host = vz::ubc::read_host_memory();
    if (!host)
        throw vz::Error(1, "Unable to read /proc/meminfo");
    in.host = *host;
    in.max_tasks = vz::ubc::read_max_tasks();

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

// --vzkit-describe: the option table, for the man page (man/).
std::string describe_tables() {
    return vz::cli::describe_options(kOptions);
}

} // namespace

int main(int argc, char **argv) {
    return vz::cli::tool_main(
        argc, argv, 1, run,
        {.program = "vzsplit", .error_codes = false, .usage = kUsage, .describe = describe_tables});
}
