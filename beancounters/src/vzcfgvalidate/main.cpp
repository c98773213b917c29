// vzcfgvalidate [-r|-i] FILE: checks the UBC relations of a container
// config (barrier <= limit, kernel memory for the processes, socket buffer
// headroom, VSwap rules). -r repairs what it can, -i asks first. Exit
// status 0 valid, 1 program error, 2 validation failed (OpenVZ's).
#include "vzkit/config.h"
#include "vzkit/error.h"
#include "vzkit/ubc_tools.h"

#include <unistd.h>

#include <iostream>

namespace {

enum class Repair { None, Auto, Ask };

bool ask(const std::string &question) {
    std::cout << question << " [y/n] " << std::flush;
    std::string answer;
    return std::getline(std::cin, answer) && (answer == "y" || answer == "Y" || answer == "yes");
}

int run(int argc, char **argv) {
    Repair repair = Repair::None;
    int opt;
    while ((opt = getopt(argc, argv, "riv:h")) != -1) {
        if (opt == 'r')
            repair = Repair::Auto;
        else if (opt == 'i')
            repair = Repair::Ask;
        else if (opt != 'v') {
            std::cerr << "Usage: vzcfgvalidate [-r|-i] <config_file>\n";
            return opt == 'h' ? 0 : 1;
        }
    }
    if (optind + 1 != argc) {
        std::cerr << "Usage: vzcfgvalidate [-r|-i] <config_file>\n";
        return 1;
    }
    const std::string path = argv[optind];
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

} // namespace

int main(int argc, char **argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception &e) {
        std::cerr << "vzcfgvalidate: " << e.what() << '\n';
    }
    return 1;
}
