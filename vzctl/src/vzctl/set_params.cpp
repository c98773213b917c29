#include "set_params.h"

#include "options.h"

#include <algorithm>

namespace vzctl {
namespace {

using vz::cli::Arg;

// vzctl set's options, generated from the parameter table: its flags, then
// every option and alias of every parameter. Repeats are the table's to judge.
struct SetOptionTable {
    std::vector<vz::cli::Option> options;
    std::vector<std::string_view> names;

    SetOptionTable() {
        for (const auto &flag : vz::params::set_flags())
            add(flag.name, flag.value_name.empty() ? Arg::kNone : Arg::kRequired);
        for (const auto &param : vz::params::all())
            for (const auto &option : param.options) {
                add(option.name, Arg::kRequired);
                for (auto alias : option.aliases)
                    add(alias, Arg::kRequired);
            }
    }
    void add(std::string_view name, Arg arg) {
        options.push_back({.name = name, .arg = arg});
        names.push_back(name);
    }
};

const SetOptionTable &set_table() {
    static const SetOptionTable kTable;
    return kTable;
}

} // namespace

vz::params::SetRequest parse_set_options(const std::vector<std::string> &args,
                                         const vz::CtConfig &config) {
    const CommandOptions options(args, set_table().options, set_table().names);
    return vz::params::to_changes(options.given(), config);
}

} // namespace vzctl
