#include "options.h"

#include "vzkit/error.h"

namespace po = boost::program_options;

namespace vzctl {

po::variables_map parse_options(const std::vector<std::string> &args,
                                const po::options_description &desc) {
    po::variables_map vm;
    try {
        // Abbreviations off: "--cpu" must not silently mean --cpuunits.
        po::store(
            po::command_line_parser(args)
                .options(desc)
                .style(po::command_line_style::unix_style ^ po::command_line_style::allow_guessing)
                .run(),
            vm);
    } catch (const po::error &e) {
        throw vz::Error(vz::VZ_INVALID_PARAMETER_SYNTAX,
                        std::string("Invalid option: ") + e.what());
    }
    return vm;
}

} // namespace vzctl
