// Command-option parsing shared by vzctl's commands: OpenVZ's long options,
// no abbreviations, errors as exit code 20.
#pragma once

#include <boost/program_options.hpp>

#include <string>
#include <vector>

namespace vzctl {

boost::program_options::variables_map
parse_options(const std::vector<std::string> &args,
              const boost::program_options::options_description &desc);

// The options in command-line order, repeats kept: (name, value or "").
std::vector<std::pair<std::string, std::string>>
parse_ordered(const std::vector<std::string> &args,
              const boost::program_options::options_description &desc);

} // namespace vzctl
