// What vzctl and vzkit-lvm (vzctl/libexec/vzkit-lvm.cpp) say to each other
// over their socket: one LVM command line per request, ended by '\n' (the
// words hold no white space, lvm2.h), and per request one reply, a header
// line "<lvm2_run's code> <bytes of output> <bytes of error>\n" followed by
// the output and the error text. Header-only: the helper links the base
// library alone, not the core.
#pragma once

#include <sys/socket.h>

#include <cerrno>
#include <charconv>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace vz::lvm::wire {

struct ReplyHeader {
    int code = 0;
    std::size_t output = 0;
    std::size_t error = 0;
};

// A reply header is never longer than this (three numbers).
inline constexpr std::size_t kMaxHeader = 64;

inline std::string reply(int code, std::string_view output, std::string_view error) {
    std::string out = std::to_string(code) + ' ' + std::to_string(output.size()) + ' ' +
                      std::to_string(error.size()) + '\n';
    out.append(output);
    out.append(error);
    return out;
}

// The header line without its '\n'; nullopt unless it is exactly three
// numbers separated by single spaces.
inline std::optional<ReplyHeader> parse_header(std::string_view line) {
    ReplyHeader h;
    const char *p = line.data();
    const char *end = line.data() + line.size();
    auto field = [&](auto &value, bool last) {
        auto [next, ec] = std::from_chars(p, end, value);
        if (ec != std::errc() || next == p)
            return false;
        p = next;
        if (last)
            return p == end;
        if (p == end || *p != ' ')
            return false;
        ++p;
        return true;
    };
    if (!field(h.code, false) || !field(h.output, false) || !field(h.error, true))
        return std::nullopt;
    return h;
}

// Sends all of data on the socket fd (EINTR retried, no SIGPIPE when the
// other side is gone); false when it cannot.
inline bool send_all(int fd, std::string_view data) {
    while (!data.empty()) {
        const ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

} // namespace vz::lvm::wire
