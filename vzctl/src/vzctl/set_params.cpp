#include "set_params.h"

#include "options.h"

#include "vzkit/error.h"

#include <boost/program_options.hpp>

namespace po = boost::program_options;

namespace vzctl {
namespace {

void add(po::options_description &desc, std::string_view name, bool takes_value) {
    const std::string n(name);
    if (takes_value)
        desc.add_options()(n.c_str(), po::value<std::vector<std::string>>()->composing());
    else
        desc.add_options()(n.c_str(), po::bool_switch());
}

// vzctl set's options, generated from the parameter table.
po::options_description set_options() {
    po::options_description desc("set options");
    for (const auto &flag : vz::params::set_flags())
        add(desc, flag.name, !flag.value_name.empty());
    for (const auto &param : vz::params::all())
        for (const auto &option : param.options) {
            add(desc, option.name, true);
            for (auto alias : option.aliases)
                add(desc, alias, true);
        }
    return desc;
}

} // namespace

vz::params::SetRequest parse_set_options(const std::vector<std::string> &args,
                                         const vz::VeConfig &config) {
    vz::params::Given given;
    for (const auto &option : parse_ordered(args, set_options()))
        given.emplace_back(option.first, option.second);
    return vz::params::to_changes(given, config);
}

} // namespace vzctl
