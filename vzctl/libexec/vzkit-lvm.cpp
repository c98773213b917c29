// vzkit-lvm: liblvm2cmd, LVM2's embeddable interface, in a process of its own.
//
// The tools are static programs (docs/packaging.md), and a static program
// cannot load a shared library that needs the system's C library. The lvm
// layout's commands therefore run here: the first LVM command of a tool
// starts this helper (storage/lvm2.cpp), which keeps one liblvm2cmd handle
// for all of them — LVM reads its configuration and scans its devices once
// per tool, as it did in-process — and exits when the tool closes its end.
//
// fd 3 is the socket (the protocol is vzkit/storage/lvm2_wire.h); stdin and
// stdout are /dev/null, stderr the tool's. Everything LVM says goes through
// the log callback: errors become the reply's error text, reports
// (--reportformat json) its output.
#include "vzkit/base/util.h"
#include "vzkit/storage/lvm2_wire.h"

#include <lvm2cmd.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <string_view>

namespace {

constexpr int kSocket = 3;
// The level carries flag bits above the level itself (stderr, once ...).
constexpr int kLevelMask = 0x0f;
constexpr int kMeantForStderr = 0x80;

struct Capture {
    std::string output;
    std::string error;
};
Capture g_capture;

// liblvm2cmd's callback takes no user pointer: the capture is the process's.
void log_line(int level, const char *, int, int, const char *message) {
    if (!message)
        return;
    const int lvl = level & kLevelMask;
    const std::string_view line = vz::trim(message);
    if (lvl == LVM2_LOG_ERROR || lvl == LVM2_LOG_FATAL) {
        if (!line.empty())
            g_capture.error = std::string(line);
    } else if (lvl == LVM2_LOG_PRINT && (level & kMeantForStderr) == 0) {
        if (line.starts_with("WARNING") || line.starts_with("WARN"))
            return;
        g_capture.output.append(message);
        g_capture.output.push_back('\n');
    }
}

// The next request line; false at the end of the stream (the tool is done).
bool next_line(std::string &buffer, std::string &line) {
    for (;;) {
        if (const auto nl = buffer.find('\n'); nl != std::string::npos) {
            line.assign(buffer, 0, nl);
            buffer.erase(0, nl + 1);
            return true;
        }
        char chunk[4096];
        const ssize_t n = read(kSocket, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        buffer.append(chunk, static_cast<std::size_t>(n));
    }
}

} // namespace

int main() {
    lvm2_log_fn(log_line);
    void *handle = lvm2_init();
    if (handle)
        lvm2_log_level(handle, LVM2_LOG_PRINT);
    std::string buffer, line;
    while (next_line(buffer, line)) {
        g_capture = {};
        const int code = handle ? lvm2_run(handle, line.c_str()) : LVM2_INIT_FAILED;
        if (!vz::lvm::wire::send_all(kSocket,
                                     vz::lvm::wire::reply(code, g_capture.output, g_capture.error)))
            break;
    }
    if (handle)
        lvm2_exit(handle);
    return 0;
}
