#include "options.h"

#include "vzkit/error.h"

namespace po = boost::program_options;

namespace vzctl {

namespace {

po::parsed_options parse(const std::vector<std::string> &args,
                         const po::options_description &desc) {
    // Abbreviations off: "--cpu" must not silently mean --cpuunits.
    return po::command_line_parser(args)
        .options(desc)
        .style(po::command_line_style::unix_style ^ po::command_line_style::allow_guessing)
        .run();
}

} // namespace

po::variables_map parse_options(const std::vector<std::string> &args,
                                const po::options_description &desc) {
    po::variables_map vm;
    try {
        po::store(parse(args, desc), vm);
    } catch (const po::error &e) {
        throw vz::Error(vz::VZ_INVALID_PARAMETER_SYNTAX,
                        std::string("Invalid option: ") + e.what());
    }
    return vm;
}

std::vector<std::pair<std::string, std::string>>
parse_ordered(const std::vector<std::string> &args, const po::options_description &desc) {
    std::vector<std::pair<std::string, std::string>> given;
    try {
        for (const auto &option : parse(args, desc).options) {
            if (option.string_key.empty())
                throw vz::Error(vz::VZ_INVALID_PARAMETER_SYNTAX,
                                "Unexpected argument " + option.original_tokens.front());
            given.emplace_back(option.string_key,
                               option.value.empty() ? std::string() : option.value.front());
        }
    } catch (const po::error &e) {
        throw vz::Error(vz::VZ_INVALID_PARAMETER_SYNTAX,
                        std::string("Invalid option: ") + e.what());
    }
    return given;
}

} // namespace vzctl
