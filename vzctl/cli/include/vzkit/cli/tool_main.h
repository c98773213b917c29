// The few lines every tool's main is: run the tool's body over its arguments
// and turn what it throws into a message on stderr and an exit code.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vz::cli {

// How a tool reports errors; the defaults are "prog: message" and the
// error's own exit code. Each tool keeps the stderr text it always had.
struct ToolStyle {
    std::string_view program{}; // the "program: " of a message; "" = argv[0]'s file name
    bool name_in_errors = true; // false: the message alone
    std::string_view error_prefix{}; // written before the message instead of "program: "

    bool log = false;           // through vz::log_error (the tool has configured logging)
    bool error_codes = true;    // false: every failure exits failure_code (vzlist: 0 or 1)
    std::string_view usage{};   // printed to stderr after a UsageError ("" = none)
    // A UsageError's message as getopt(3) says it, "argv[0]: message"; false:
    // as the other errors.
    bool usage_names_argv0 = true;
    // The tool's --vzkit-describe text (describe.h): its option table, and
    // its commands and keys where it has them.
    std::string (*describe)() = nullptr;
};

// Runs body(args without program name), or prints style.describe() when the
// one argument is --vzkit-describe, and turns vz::Error into its code with the
// message on stderr (through vz::log_error when the tool logs, plain "prog: message" otherwise),
// std::exception into `failure_code`. A UsageError (options.h) prints its message, if any, then
// style.usage.
int tool_main(int argc, char **argv, int failure_code, int (*body)(std::vector<std::string> args),
              const ToolStyle &style = {});

// argv[0] of the tool_main running now ("" outside one): what a tool that
// runs itself again (vzubc under watch) names.
std::string_view program_path();

// --help: the usage the running tool_main was given (ToolStyle::usage) on
// standard output; returns --help's exit status, 0.
int print_help();

} // namespace vz::cli
