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

} // namespace vzctl
