#include "vzkit/base/log.h"

#include "vzkit/base/fd.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <string>

namespace vz {
namespace {

constexpr int kErrorLevel = -1;

LogSettings &settings() {
    static LogSettings instance;
    return instance;
}

// "2024-05-01T12:00:00+0200", the timestamp OpenVZ writes into vzctl.log.
std::string timestamp() {
    std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    char buf[64];
    std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S%z", &local);
    return std::string(buf, n);
}

// Logging is a side channel: a missing or read-only log file must never fail
// the command, so every error here is ignored.
void write_log_file(int level, std::string_view text) {
    const LogSettings &s = settings();
    if (!s.enabled || s.file.empty() || level > s.file_level)
        return;
    std::string line = timestamp() + " " + s.program + " : ";
    if (s.have_ctid)
        line += "CT " + std::to_string(s.ctid) + " : ";
    line += text;
    line += '\n';
    UniqueFd fd(::open(s.file.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644));
    if (!fd)
        return;
    // One write() per line keeps concurrent writers' lines whole under O_APPEND.
    [[maybe_unused]] ssize_t ignored = ::write(fd.get(), line.data(), line.size());
}

void write_console(std::FILE *stream, std::string_view text) {
    // Flush stdout first so that messages keep their order when both streams
    // go to the same terminal or file.
    std::fflush(stdout);
    std::fwrite(text.data(), 1, text.size(), stream);
    std::fputc('\n', stream);
    std::fflush(stream);
}

void emit(int level, std::string_view text) {
    const LogSettings &s = settings();
    bool on_console = level <= kErrorLevel || (!s.quiet && level <= s.console_level);
    if (on_console)
        write_console(level <= kErrorLevel ? stderr : stdout, text);
    write_log_file(level, text);
}

} // namespace

void log_configure(const LogSettings &new_settings) {
    settings() = new_settings;
}

const LogSettings &log_settings() {
    return settings();
}

void log_error(std::string_view message) {
    emit(kErrorLevel, message);
}

void log_warning(std::string_view message) {
    const std::string text = "Warning: " + std::string(message);
    // Warnings are not errors: --quiet hides them, the log file always keeps them.
    if (!settings().quiet)
        write_console(stderr, text);
    write_log_file(kErrorLevel, text);
}

void log_info(std::string_view message) {
    emit(0, message);
}

void log_debug(int level, std::string_view message) {
    emit(level, message);
}

} // namespace vz
