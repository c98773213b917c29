// vzctl's commands: the table main dispatches on, each row with its handler
// (in commands.cpp: its options, then the core library call).
#pragma once

#include "vzkit/base/ct_config.h"
#include "vzkit/cli/options.h"

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vzctl {

using Handler = int (*)(vz::CtConfig &config, const std::vector<std::string> &args);

struct Command {
    std::string_view name;
    Handler handler;
    bool takes_lock;        // read-only and interactive commands run unlocked (OpenVZ §8)
    bool needs_config;      // everything but create, status and set needs <CTID>.conf
    std::string_view usage; // its line in --help ("" for an alias of the one above)
    // Its options, for the man page and bash completion (set's are the
    // parameter table's; exec's and runscript's words are not options).
    std::span<const vz::cli::Option> options{};
};

// Every command, in --help's order.
std::span<const Command> commands();

} // namespace vzctl
