// exec/exec2/runscript and enter: stdio relayed between the host and a command
// inside the container, through pipes (exec) or a pty allocated in the
// container's own devpts (enter). The relay runs here, on the host side; the
// host's terminal is never handed to the container.
#include "vzkit/ct/enter.h"
#include "vzkit/ct/start.h"

#include "vzkit/ct/state.h"
#include "vzkit/base/error.h"
#include "vzkit/base/fd.h"
#include "vzkit/ct/hooks.h"
#include "vzkit/base/log.h"
#include "vzkit/base/process.h"
#include "vzkit/base/util.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <csignal>
#include <cstring>

namespace vz {
namespace {

// The container's bash, or its /bin/sh when it has none (OpenVZ's choice).
const std::vector<std::string> kShells = {"/bin/bash", "/bin/sh"};

} // namespace

int exec_in_ct(const CtConfig &config, const ExecRequest &request) {
    Pipe in = make_pipe(), out = make_pipe(), err = make_pipe();
    const std::string command = join(request.words, " ");
    CtCommand cmd;
    if (request.direct && !request.words.empty()) {
        cmd.programs = {request.words[0]};
        cmd.args.assign(request.words.begin() + 1, request.words.end());
    } else {
        cmd.programs = kShells;
        if (!command.empty())
            cmd.args = {"-c", command};
    }
    cmd.env = default_exec_env();
    cmd.stdio = {in.read.get(), out.write.get(), err.write.get()};
    Spawned child = spawn_in_ct(config, cmd);
    in.read.reset();
    out.write.reset();
    err.write.reset();
    relay_pipes(child.pid, std::move(in.write), std::move(out.read), std::move(err.read),
                request.input);
    return wait_exit_code(child.pid);
}

void run_ct_action_script(const CtConfig &config, std::string_view event) {
    auto path = ct_conf_dir() / (std::to_string(config.ctid()) + "." + std::string(event));
    auto script = read_file(path);
    if (!script)
        return;
    ExecRequest request;
    request.input = *script;
    if (int rc = exec_in_ct(config, request); rc != 0)
        throw Error(VZ_ACTIONSCRIPT_ERROR,
                    "Error executing " + path.string() + ": exit code " + std::to_string(rc));
}

namespace {

// Raw mode on the host terminal for the session, restored on every exit path.
class RawTerminal {
  public:
    RawTerminal() {
        if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_) != 0)
            return;
        termios raw = saved_;
        cfmakeraw(&raw);
        active_ = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
    }
    ~RawTerminal() {
        if (active_)
            tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
    }
    RawTerminal(const RawTerminal &) = delete;
    RawTerminal &operator=(const RawTerminal &) = delete;

  private:
    termios saved_{};
    bool active_ = false;
};

volatile sig_atomic_t g_winch = 0;

void copy_window_size(int master) {
    winsize ws{};
    if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
        ioctl(master, TIOCSWINSZ, &ws);
}

// The pty's end-of-file character (^D unless the container changed it); a
// partial last line is ended first, as a shell reading a file runs its last
// line without a newline.
void send_end_of_file(int master, bool at_line_start) {
    termios tio{};
    const char eof = tcgetattr(master, &tio) == 0 && tio.c_cc[VEOF] != 0
                         ? static_cast<char>(tio.c_cc[VEOF])
                         : '\x04';
    const char line_then_eof[2] = {'\r', eof};
    if (at_line_start)
        write_all(master, &eof, 1);
    else
        write_all(master, line_then_eof, 2);
}

constexpr int kEofRetries = 6; // 250 ms, then 0.5, 1, 2, 4 s after the first

void relay_pty(pid_t child, int master, const std::vector<std::string> &exec_words) {
    const ScopedSignal ignore_sigpipe(SIGPIPE, SIG_IGN);
    const ScopedSignal note_winch(SIGWINCH, [](int) { g_winch = 1; });
    copy_window_size(master);
    if (!exec_words.empty()) {
        std::string line = join(exec_words, " ") + "\n";
        write_all(master, line.data(), line.size());
    }
    RawTerminal raw;
    UniqueFd pidfd = open_pidfd(child);
    bool stdin_open = true;
    // Whether what was typed last ended a line: the end of a stdin that is
    // no terminal becomes the pty's end-of-file character, as OpenVZ's enter
    // closes its input there. A shell that was not reading yet may lose
    // it when it switches its terminal out of canonical mode, so it is sent
    // again while the shell lives, less and less often, a few times at most.
    bool at_line_start = true;
    int eofs_sent = 0;
    int eof_wait_ms = 250;
    for (;;) {
        if (g_winch) {
            g_winch = 0;
            copy_window_size(master);
        }
        // A SIGWINCH cuts the wait short with nothing ready: the size is copied above.
        const bool eof_pending = !stdin_open && eofs_sent > 0 && eofs_sent < kEofRetries;
        auto ready = poll_readable({master, stdin_open ? STDIN_FILENO : -1, pidfd.get()},
                                   eof_pending ? eof_wait_ms : -1);
        if (!ready)
            return;
        if (ready->empty() && eof_pending && !g_winch) {
            send_end_of_file(master, true);
            ++eofs_sent;
            eof_wait_ms *= 2;
            continue;
        }
        for (int fd : *ready) {
            if (fd == master) {
                if (!pump(master, STDOUT_FILENO))
                    return;
            } else if (fd == STDIN_FILENO) {
                char buf[4096];
                const ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
                if (n < 0 && (errno == EINTR || errno == EAGAIN))
                    continue;
                if (n > 0) {
                    if (!write_all(master, buf, static_cast<size_t>(n)))
                        stdin_open = false;
                    at_line_start = buf[n - 1] == '\n' || buf[n - 1] == '\r';
                    continue;
                }
                stdin_open = false;
                send_end_of_file(master, at_line_start);
                eofs_sent = 1;
            } else {
                drain(master, STDOUT_FILENO);
                return;
            }
        }
    }
}

} // namespace

int enter_ct(const CtConfig &config, const std::vector<std::string> &exec_words) {
    const char *term_env = getenv("TERM");
    CtCommand cmd;
    cmd.programs = kShells;
    cmd.login = true;
    cmd.pty = true;
    cmd.cwd = "/root";
    cmd.env = {"PATH=" + std::string(kScriptPath), "HISTFILE=/dev/null", "USER=root",
               "HOME=/root", "LOGNAME=root", "TERM=" + std::string(term_env ? term_env : "xterm")};
    Spawned child = spawn_in_ct(config, cmd);
    log_info("entered into CT " + std::to_string(config.ctid()));
    relay_pty(child.pid, child.pty_master.get(), exec_words);
    int rc = wait_exit_code(child.pid);
    log_info("exited from CT " + std::to_string(config.ctid()));
    return rc;
}

int run_script(const CtConfig &config, const std::filesystem::path &script) {
    auto text = read_file(script);
    if (!text)
        throw Error(VZ_NOSCRIPT, "Script " + script.string() + " not found");
    if (is_running(config.ctid())) {
        ExecRequest request;
        request.input = *text;
        return exec_in_ct(config, request);
    }
    StartOptions options;
    options.script = *text;
    options.force = true;
    return start_ct(config, options);
}

namespace {

// What the console's escape parser makes of the bytes typed: OpenVZ's
// sequences, only at the start of a line (Esc . detach, Esc ! SAK); any
// other byte after Esc goes through with the Esc.
struct ConsoleInput {
    bool line_start = true;
    bool escaped = false;
    enum Action { kNone, kDetach, kSak };
    // Appends to out what goes to the console; an action stops at its byte.
    Action feed(const char *data, size_t len, std::string &out, size_t &used) {
        constexpr char kEsc = 27;
        for (used = 0; used < len;) {
            const char c = data[used++];
            if (escaped) {
                escaped = false;
                if (c == '.')
                    return kDetach;
                if (c == '!')
                    return kSak;
                out += kEsc;
            } else if (c == kEsc && line_start) {
                escaped = true;
                continue;
            }
            out += c;
            line_start = c == '\r' || c == '\n';
        }
        return kNone;
    }
};

} // namespace

bool set_console_unattended(int master) {
    termios t{};
    if (tcgetattr(master, &t) != 0)
        return false;
    cfmakeraw(&t); // above all no echo: what the container prints never comes back in
    return tcsetattr(master, TCSANOW, &t) == 0;
}

int console_ct(const CtConfig &config) {
    UniqueFd master = take_console_master(config);
    auto init = find_init_pid(config.ctid());
    UniqueFd pidfd = init ? open_pidfd(*init) : UniqueFd();
    // Raw, no echo, also if the container changed it through its descriptor.
    set_console_unattended(master.get());
    std::fprintf(stderr, "Attached to CT %u (ESC . to detach)\n", config.ctid());
    const ScopedSignal ignore_sigpipe(SIGPIPE, SIG_IGN);
    const ScopedSignal note_winch(SIGWINCH, [](int) { g_winch = 1; });
    copy_window_size(master.get());
    ConsoleInput input;
    bool stdin_open = true;
    {
        RawTerminal raw;
        for (bool attached = true; attached;) {
            if (g_winch) {
                g_winch = 0;
                copy_window_size(master.get());
            }
            auto ready = poll_readable({master.get(), stdin_open ? STDIN_FILENO : -1, pidfd.get()});
            if (!ready)
                break;
            for (int fd : *ready) {
                if (fd == master.get()) {
                    if (!pump(master.get(), STDOUT_FILENO))
                        attached = false; // every slave closed: the container stopped
                } else if (fd == STDIN_FILENO) {
                    char buf[4096];
                    const ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
                    if (n < 0 && (errno == EINTR || errno == EAGAIN))
                        continue;
                    if (n <= 0) {
                        stdin_open = false; // no more input; detach with the container
                        continue;
                    }
                    std::string out;
                    size_t used = 0, offset = 0;
                    while (offset < static_cast<size_t>(n) && attached) {
                        auto action = input.feed(buf + offset, static_cast<size_t>(n) - offset,
                                                 out, used);
                        offset += used;
                        if (action == ConsoleInput::kDetach)
                            attached = false;
                        else if (action == ConsoleInput::kSak)
                            ::ioctl(master.get(), TIOCSIG, SIGKILL); // its foreground group
                    }
                    if (!out.empty())
                        write_all(master.get(), out.data(), out.size());
                } else {
                    drain(master.get(), STDOUT_FILENO);
                    attached = false;
                }
            }
            if (!stdin_open && !pidfd)
                break;
        }
    }
    std::fprintf(stderr, "\nDetached from CT %u\n", config.ctid());
    return 0;
}

} // namespace vz
