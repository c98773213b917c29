// Logging with OpenVZ's semantics: a console level (VERBOSE, --verbose, --quiet)
// and a log file (LOGGING, LOGFILE, LOG_LEVEL) with one timestamped line per message.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "vzkit/base/error.h"

namespace vz {

struct LogSettings {
    bool enabled = true;                               // LOGGING
    std::filesystem::path file = "/var/log/vzctl.log"; // LOGFILE
    int file_level = 0;                                // LOG_LEVEL
    int console_level = 0;                             // VERBOSE, +1 per --verbose
    bool quiet = false;                                // --quiet: only errors reach the console
    std::string program = "vzctl";
    unsigned ctid = 0;
    bool have_ctid = false;
};

// Process-wide logger. Level -1 is an error (stderr), 0 a normal message
// (stdout), 1.. verbose detail shown with --verbose.
void log_configure(const LogSettings &settings);
const LogSettings &log_settings();
void log_error(std::string_view message);   // "Error: ..." is not prepended: message is the line
void log_warning(std::string_view message); // prints "Warning: <message>" to stderr
void log_info(std::string_view message);    // level 0, stdout
void log_debug(int level, std::string_view message);

// Runs one step of a clean-up: an Error it throws becomes a warning that
// starts with context, so that the steps after it still run.
template <typename Step> void warn_on_error(std::string_view context, Step &&step) {
    try {
        step();
    } catch (const Error &e) {
        log_warning(std::string(context) + ": " + e.what());
    }
}

} // namespace vz
