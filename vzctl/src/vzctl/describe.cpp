#include "describe.h"

#include "commands.h"

#include "vzkit/base/error.h"
#include "vzkit/cli/describe.h"
#include "vzkit/ct/params.h"

#include <array>
#include <string_view>

namespace vzctl {
namespace {

namespace params = vz::params;

std::string joined(std::span<const std::string_view> words) {
    std::string out;
    for (auto word : words)
        out += (out.empty() ? "" : ",") + std::string(word);
    return out;
}

// "option set ..." per flag of set and per option of the parameter table,
// with its aliases among its long names.
std::string describe_set() {
    std::string out;
    for (const params::FlagSpec &flag : params::set_flags()) {
        const std::array<std::string_view, 7> fields = {
            "option",        "set",    "", flag.name, flag.value_name.empty() ? "0" : "1",
            flag.value_name, flag.help};
        out += vz::cli::describe_line(fields);
    }
    for (const params::Param &param : params::all())
        for (const params::OptionSpec &option : param.options) {
            std::vector<std::string_view> names = {option.name};
            names.insert(names.end(), option.aliases.begin(), option.aliases.end());
            const std::string long_names = joined(names);
            const std::array<std::string_view, 7> fields = {
                "option", "set", "", long_names, "1", option.value_name, option.help};
            out += vz::cli::describe_line(fields);
        }
    return out;
}

// What a key's apply bits and flags say about changing it, as words.
std::string key_traits(const params::Param &param) {
    std::vector<std::string_view> traits;
    if (param.transient)
        traits.push_back("transient");
    if (param.stopped_only)
        traits.push_back("stopped-only");
    if ((param.apply & params::kRestart) != 0)
        traits.push_back("restart");
    if ((param.apply & ~params::kRestart) != 0)
        traits.push_back("live");
    if ((param.apply & params::kModule) != 0)
        traits.push_back("module");
    return joined(traits);
}

// key <KEY> <older spellings> <options> <traits> <help> <why it has no effect>
std::string describe_keys() {
    std::string out;
    for (const params::Param &param : params::all()) {
        std::vector<std::string_view> options;
        for (const params::OptionSpec &option : param.options)
            options.push_back(option.name);
        const std::string aliases = joined(param.key_aliases);
        const std::string names = joined(options);
        const std::string traits = key_traits(param);
        const std::array<std::string_view, 7> fields = {
            "key",
            param.key,
            aliases,
            names,
            traits,
            param.options.empty() ? "" : param.options.front().help,
            param.not_applied};
        out += vz::cli::describe_line(fields);
    }
    return out;
}

std::string describe_exit_codes() {
    std::string out;
    for (const vz::ExitCodeInfo &info : vz::exit_codes()) {
        const std::string code = std::to_string(info.code);
        const std::array<std::string_view, 4> fields = {"exit", code, info.name, info.message};
        out += vz::cli::describe_line(fields);
    }
    return out;
}

} // namespace

std::string describe(std::span<const vz::cli::Option> global_options) {
    std::string out = vz::cli::describe_options(global_options);
    for (const Command &command : commands()) {
        out += vz::cli::describe_command(command.name, command.usage);
        out += vz::cli::describe_options(command.options, command.name);
    }
    return out + describe_set() + describe_keys() + describe_exit_codes();
}

} // namespace vzctl
