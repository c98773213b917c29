// The signal name table (see proc/signal.h). Numbers come from <signal.h>,
// never literals: they differ between architectures.
#include "vzkit/proc/signal.h"

#include "vzkit/proc/parse.h"
#include "vzkit/base/util.h"

#include <signal.h>

#include <algorithm>
#include <array>
#include <span>
#include <utility>

namespace vz {
namespace {

struct SignalName {
    std::string_view name;
    int number;
};

// Primary names first: signal_name() returns the first match, aliases after.
constexpr auto kSignals = std::to_array<SignalName>({
    {"HUP", SIGHUP},   {"INT", SIGINT},       {"QUIT", SIGQUIT}, {"ILL", SIGILL},
    {"TRAP", SIGTRAP}, {"ABRT", SIGABRT},     {"BUS", SIGBUS},   {"FPE", SIGFPE},
    {"KILL", SIGKILL}, {"USR1", SIGUSR1},     {"SEGV", SIGSEGV}, {"USR2", SIGUSR2},
    {"PIPE", SIGPIPE}, {"ALRM", SIGALRM},     {"TERM", SIGTERM}, {"STKFLT", SIGSTKFLT},
    {"CHLD", SIGCHLD}, {"CONT", SIGCONT},     {"STOP", SIGSTOP}, {"TSTP", SIGTSTP},
    {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},     {"URG", SIGURG},   {"XCPU", SIGXCPU},
    {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF}, {"WINCH", SIGWINCH},
    {"POLL", SIGPOLL}, {"PWR", SIGPWR},       {"SYS", SIGSYS},   {"IOT", SIGIOT},
    {"CLD", SIGCHLD},  {"IO", SIGIO},
});
constexpr std::size_t kPrimaryNames = 31; // entries before the aliases
static_assert(kSignals[kPrimaryNames - 1].name == "SYS" && kSignals[kPrimaryNames].name == "IOT");

// "RTMIN", "RTMIN+n", "RTMAX", "RTMAX-n" (n within the real-time range).
std::optional<int> parse_realtime(std::string_view name) {
    const int low = SIGRTMIN, high = SIGRTMAX;
    const bool from_min = name.starts_with("RTMIN");
    if (!from_min && !name.starts_with("RTMAX"))
        return std::nullopt;
    name.remove_prefix(5);
    if (name.empty())
        return from_min ? low : high;
    if (name.front() != (from_min ? '+' : '-'))
        return std::nullopt;
    auto offset = parse_number<std::uint64_t>(name.substr(1));
    if (!offset || *offset > static_cast<std::uint64_t>(high - low))
        return std::nullopt;
    const int n = static_cast<int>(*offset);
    return from_min ? low + n : high - n;
}

} // namespace

std::optional<int> parse_signal(std::string_view text) {
    if (auto number = parse_number<std::uint64_t>(text))
        return *number <= static_cast<std::uint64_t>(SIGRTMAX) ? std::optional(int(*number))
                                                               : std::nullopt;
    std::string name = to_upper(text);
    if (name.starts_with("SIG"))
        name.erase(0, 3);
    auto it = std::ranges::find(kSignals, std::string_view(name), &SignalName::name);
    if (it != kSignals.end())
        return it->number;
    return parse_realtime(name);
}

std::string signal_name(int signal) {
    auto named = std::span(kSignals).first(kPrimaryNames);
    auto it = std::ranges::find(named, signal, &SignalName::number);
    if (it != named.end())
        return std::string(it->name);
    const int low = SIGRTMIN, high = SIGRTMAX;
    if (signal >= low && signal <= high) {
        const int from_min = signal - low, from_max = high - signal;
        if (from_min <= from_max)
            return from_min == 0 ? "RTMIN" : "RTMIN+" + std::to_string(from_min);
        return from_max == 0 ? "RTMAX" : "RTMAX-" + std::to_string(from_max);
    }
    return std::to_string(signal);
}

std::string signal_list(std::size_t width) {
    std::string out, line;
    for (const auto &signal : std::span(kSignals).first(kPrimaryNames)) {
        if (!line.empty() && line.size() + 1 + signal.name.size() > width) {
            out += line + '\n';
            line.clear();
        }
        if (!line.empty())
            line += ' ';
        line += signal.name;
    }
    return out + line + '\n';
}

} // namespace vz
