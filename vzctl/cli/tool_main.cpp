#include "vzkit/cli/tool_main.h"

#include "vzkit/cli/describe.h"
#include "vzkit/cli/options.h"
#include "vzkit/base/error.h"
#include "vzkit/base/log.h"

#include <algorithm>
#include <iostream>

namespace vz::cli {

namespace {

std::string_view g_program_path;
std::string_view g_usage;

void report(const ToolStyle &style, std::string_view program, std::string_view message) {
    if (style.log)
        vz::log_error(message);
    else if (!style.error_prefix.empty())
        std::cerr << style.error_prefix << message << '\n';
    else if (style.name_in_errors)
        std::cerr << program << ": " << message << '\n';
    else
        std::cerr << message << '\n';
}

} // namespace

std::string_view program_path() {
    return g_program_path;
}

int print_help() {
    std::cout << g_usage;
    return 0;
}

int tool_main(int argc, char **argv, int failure_code, int (*body)(std::vector<std::string> args),
              const ToolStyle &style) {
    g_program_path = argc > 0 ? argv[0] : "";
    g_usage = style.usage;
    std::string_view program = style.program;
    if (program.empty())
        program = g_program_path.substr(g_program_path.rfind('/') + 1);
    try {
        if (argc == 2 && style.describe && argv[1] == kDescribeArgument) {
            std::cout << style.describe();
            return 0;
        }
        return body(std::vector<std::string>(argv + std::min(argc, 1), argv + argc));
    } catch (const UsageError &e) {
        if (std::string_view message = e.what(); !message.empty()) {
            if (style.usage_names_argv0 && !style.log)
                std::cerr << g_program_path << ": " << message << '\n';
            else
                report(style, program, message);
        }
        std::cerr << style.usage;
        return style.error_codes ? e.code() : failure_code;
    } catch (const vz::Error &e) {
        report(style, program, e.what());
        return style.error_codes ? e.code() : failure_code;
    } catch (const std::exception &e) {
        report(style, program, e.what());
    }
    return failure_code;
}

} // namespace vz::cli
