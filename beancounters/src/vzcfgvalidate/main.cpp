// vzcfgvalidate [-r|-i] FILE: checks the UBC relations of a container
// config (barrier <= limit, kernel memory for the processes, socket buffer
// headroom, VSwap rules). -r repairs what it can, -i asks first. Exit
// status 0 valid, 1 program error, 2 validation failed (OpenVZ's).
#include "vzkit/cli/describe.h"
#include "vzkit/cli/options.h"
#include "vzkit/cli/tool_main.h"
#include "vzkit/base/config.h"
#include "vzkit/base/error.h"
#include "vzkit/ubc/tools.h"

#include <array>
#include <iostream>

namespace {

enum class Repair { None, Auto, Ask };

constexpr std::string_view kUsage = "Usage: vzcfgvalidate [-r|-i] <config_file>\n";

constexpr auto kOptions = std::to_array<vz::cli::Option>({
    {"", 'r', vz::cli::Arg::kNone},
    {"", 'i', vz::cli::Arg::kNone},
    {"", 'v', vz::cli::Arg::kRequired, "<value>"}, // OpenVZ's vswap switch, with a value: ignored
    {"", 'h', vz::cli::Arg::kNone},
});

bool ask(const std::string &question) {
    std::cout << question << " [y/n] " << std::flush;
    std::string answer;
    return std::getline(std::cin, answer) && (answer == "y" || answer == "Y" || answer == "yes");
}

int run(std::vector<std::string> args) {
    const auto parsed = vz::cli::parse(args, kOptions);
    Repair repair = Repair::None;
    for (const auto &given : parsed.given) {
        if (given.option->id() == 'r')
            repair = Repair::Auto;
        else if (given.option->id() == 'i')
            repair = Repair::Ask;
        else if (given.option->id() == 'h') {
            std::cerr << kUsage; // OpenVZ's: on stderr, and success
            return 0;
        }
    }
    if (parsed.positional.size() != 1)
        throw vz::cli::UsageError(1, ""); // the usage alone
    const std::string &path = parsed.positional.front();
    auto config = vz::ConfigFile::load(path);
    if (!config.exists())
        throw vz::Error(1, "Unable to open " + path);
    auto lookup = [&](std::string_view key) { return config.get(key); };
    for (const auto &f : vz::ubc::validate(lookup)) {
        std::cout << vz::ubc::severity_name(f.severity) << ": " << f.message << '\n';
        if (!f.fix || repair == Repair::None)
            continue;
        const auto &[key, value] = *f.fix;
        if (repair == Repair::Ask && !ask("Set " + key + "=\"" + value + "\"?"))
            continue;
        config.set(key, value);
        std::cout << "  set " << key << "=\"" << value << "\"\n";
    }
    if (config.dirty()) {
        config.save(path);
        std::cout << "Config " << path << " was repaired\n";
    }
    for (const auto &f : vz::ubc::validate(lookup))
        if (f.severity == vz::ubc::Severity::Error) {
            std::cout << "Validation failed\n";
            return 2;
        }
    std::cout << "Validation completed: success\n";
    return 0;
}

// --vzkit-describe: the option table, for the man page (man/).
std::string describe_tables() {
    return vz::cli::describe_options(kOptions);
}

} // namespace

int main(int argc, char **argv) {
    return vz::cli::tool_main(argc, argv, 1, run,
                              {.program = "vzcfgvalidate",
                               .error_codes = false,
                               .usage = kUsage,
                               .describe = describe_tables});
}
