#include "terminal.h"

#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>

namespace {

// Alternate screen on, cursor hidden; and back.
constexpr const char *kEnter = "\033[?1049h\033[?25l";
constexpr const char *kLeave = "\033[?25h\033[?1049l";

winsize window_size() {
    winsize ws{};
    if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) != 0 || ws.ws_row == 0 || ws.ws_col == 0)
        return {24, 80, 0, 0};
    return ws;
}

} // namespace

Terminal::Terminal() {
    if (::tcgetattr(STDIN_FILENO, &saved_) == 0) {
        termios raw = saved_;
        // Keys arrive one by one without echo; ^C still raises SIGINT.
        raw.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO);
        raw.c_cc[VMIN] = 0;
        raw.c_cc[VTIME] = 0;
        raw_ = ::tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
    }
    std::fputs(kEnter, stdout);
    std::fflush(stdout);
}

Terminal::~Terminal() {
    std::fputs(kLeave, stdout);
    std::fflush(stdout);
    if (raw_)
        ::tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
}

std::size_t Terminal::rows() const {
    return window_size().ws_row;
}

std::size_t Terminal::columns() const {
    return window_size().ws_col;
}

int Terminal::wait_key(double seconds) {
    pollfd fd{STDIN_FILENO, POLLIN, 0};
    const int timeout = static_cast<int>(std::lround(seconds * 1000));
    if (::poll(&fd, 1, timeout) <= 0)
        return 0;
    unsigned char key = 0;
    return ::read(STDIN_FILENO, &key, 1) == 1 ? key : 0;
}

void Terminal::draw(const std::vector<std::string> &lines) {
    std::string out = "\033[H";
    const std::size_t height = rows();
    for (std::size_t i = 0; i < lines.size() && i < height; ++i) {
        out += lines[i];
        out += "\033[K";
        if (i + 1 < height)
            out += '\n'; // the terminal's output processing adds the carriage return
    }
    out += "\033[J";
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fflush(stdout);
}
