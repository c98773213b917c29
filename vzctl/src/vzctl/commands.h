// vzctl's commands: the table main dispatches on, each row with its handler
// (in commands.cpp: its options, then the core library call).
#pragma once

#include "vzkit/base/ct_config.h"

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
};

// Every command, in --help's order.
std::span<const Command> commands();

} // namespace vzctl
