// Signal names as kill(1) and killall(1) accept and print them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace vz {

// "TERM", "SIGTERM", "term", "15", "0", "RTMIN+2", "SIGRTMAX-1" → the signal
// number; nullopt for an unknown name or a number out of range. 0 (no signal,
// only the existence check) is valid as a number.
std::optional<int> parse_signal(std::string_view text);
// The name without "SIG" ("TERM", "RTMIN+2"), or the number for a signal
// without one.
std::string signal_name(int signal);
// Every named signal in numeric order, as `killall -l` prints them: space
// separated, a line break before a line would pass width columns.
std::string signal_list(std::size_t width = 80);

} // namespace vz
