// exec/exec2/runscript and enter: stdio relayed between the host and a process
// inside the container, through pipes (exec) or a pty allocated in the
// container's own devpts (enter).
#include "vzkit/ct_enter.h"

#include "vzkit/ct_state.h"
#include "vzkit/error.h"
#include "vzkit/fd.h"
#include "vzkit/hooks.h"
#include "vzkit/log.h"
#include "vzkit/process.h"
#include "vzkit/util.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

namespace vz {
namespace {

pid_t require_init(const VeConfig &config) {
    auto init = find_init_pid(config.ctid());
    if (!init)
        throw Error(VZ_VE_NOT_RUNNING, "Container is not running");
    return *init;
}

std::string shell_in_ct() {
    return access("/bin/bash", X_OK) == 0 ? "/bin/bash" : "/bin/sh";
}

[[noreturn]] void exec_shell(const std::vector<std::string> &args,
                             const std::vector<std::string> &env) {
    std::vector<char *> argv, envp;
    for (const auto &a : args)
        argv.push_back(const_cast<char *>(a.c_str()));
    argv.push_back(nullptr);
    for (const auto &e : env)
        envp.push_back(const_cast<char *>(e.c_str()));
    envp.push_back(nullptr);
    execve(argv[0], argv.data(), envp.data());
    std::fprintf(stderr, "Unable to execute %s: %s\n", argv[0], std::strerror(errno));
    _exit(VZ_COMMAND_EXECUTION_ERROR);
}

} // namespace

int exec_in_ct(const VeConfig &config, const ExecRequest &request) {
    pid_t init = require_init(config);
    Pipe in = make_pipe(), out = make_pipe(), err = make_pipe();
    const std::string command = join(request.words, " ");
    auto body = [&]() -> int {
        dup2(in.read.get(), STDIN_FILENO);
        dup2(out.write.get(), STDOUT_FILENO);
        dup2(err.write.get(), STDERR_FILENO);
        std::vector<std::string> args = {shell_in_ct()};
        if (!command.empty()) {
            args.push_back("-c");
            args.push_back(command);
        }
        exec_shell(args, default_exec_env());
    };
    pid_t child = spawn_in_ct(config.ctid(), init, ct_capabilities(config), body,
                              {in.read.get(), out.write.get(), err.write.get()});
    in.read.reset();
    out.write.reset();
    err.write.reset();
    relay_pipes(child, std::move(in.write), std::move(out.read), std::move(err.read),
                request.input);
    return wait_exit_code(child);
}

void run_ct_action_script(const VeConfig &config, std::string_view event) {
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

// One byte carrying one fd in SCM_RIGHTS; the buffers outlive the msghdr's use.
struct FdMessage {
    char byte = 0;
    iovec iov{&byte, 1};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msghdr msg{};
    FdMessage() {
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
    }
    FdMessage(const FdMessage &) = delete;
    FdMessage &operator=(const FdMessage &) = delete;
};

void send_fd(int sock, int fd) {
    FdMessage m;
    cmsghdr *cmsg = CMSG_FIRSTHDR(&m.msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
    sendmsg(sock, &m.msg, 0);
}

UniqueFd receive_fd(int sock) {
    FdMessage m;
    if (recvmsg(sock, &m.msg, MSG_CMSG_CLOEXEC) <= 0)
        return UniqueFd();
    cmsghdr *cmsg = CMSG_FIRSTHDR(&m.msg);
    if (!cmsg || cmsg->cmsg_type != SCM_RIGHTS)
        return UniqueFd();
    int fd;
    std::memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
    return UniqueFd(fd);
}

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

void relay_pty(pid_t child, int master, const std::vector<std::string> &exec_words) {
    IgnoreSigpipe guard;
    struct sigaction sa {};
    sa.sa_handler = [](int) { g_winch = 1; };
    sigaction(SIGWINCH, &sa, nullptr);
    copy_window_size(master);
    if (!exec_words.empty()) {
        std::string line = join(exec_words, " ") + "\n";
        write_all(master, line.data(), line.size());
    }
    RawTerminal raw;
    UniqueFd pidfd = open_pidfd(child);
    bool stdin_open = true;
    for (;;) {
        if (g_winch) {
            g_winch = 0;
            copy_window_size(master);
        }
        std::vector<pollfd> fds = {{master, POLLIN, 0}};
        if (stdin_open)
            fds.push_back({STDIN_FILENO, POLLIN, 0});
        if (pidfd)
            fds.push_back({pidfd.get(), POLLIN, 0});
        if (poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        for (const auto &p : fds) {
            if (!p.revents)
                continue;
            if (p.fd == master) {
                if (!pump(master, STDOUT_FILENO))
                    return;
            } else if (p.fd == STDIN_FILENO) {
                if (!pump(STDIN_FILENO, master))
                    stdin_open = false;
            } else {
                drain(master, STDOUT_FILENO);
                return;
            }
        }
    }
}

// Inside the container: a pty from its own devpts, the slave as the
// controlling terminal of a login shell, the master handed to the host side.
int login_shell_on_pty(int sock, const std::string &term) {
    UniqueFd master(open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (!master || grantpt(master.get()) != 0 || unlockpt(master.get()) != 0) {
        std::fprintf(stderr, "Unable to open a pty in the container: %s\n", std::strerror(errno));
        return VZ_SYSTEM_ERROR;
    }
    const char *slave_name = ptsname(master.get());
    send_fd(sock, master.get());
    master.reset();
    close(sock);
    setsid();
    int slave = slave_name ? open(slave_name, O_RDWR) : -1;
    if (slave < 0 || ioctl(slave, TIOCSCTTY, 0) != 0)
        return VZ_SYSTEM_ERROR;
    dup2(slave, STDIN_FILENO);
    dup2(slave, STDOUT_FILENO);
    dup2(slave, STDERR_FILENO);
    if (slave > STDERR_FILENO)
        close(slave);
    const bool bash = access("/bin/bash", X_OK) == 0;
    std::vector<std::string> env = {"PATH=" + std::string(kScriptPath),
                                    "HISTFILE=/dev/null",
                                    "USER=root",
                                    "HOME=/root",
                                    "LOGNAME=root",
                                    "TERM=" + term};
    if (chdir("/root") != 0 && chdir("/") != 0)
        return VZ_SYSTEM_ERROR;
    std::vector<char *> envp;
    for (auto &e : env)
        envp.push_back(e.data());
    envp.push_back(nullptr);
    // A leading '-' in argv[0] makes it a login shell.
    const char *argv0 = bash ? "-bash" : "-sh";
    char *const argv[] = {const_cast<char *>(argv0), nullptr};
    execve(bash ? "/bin/bash" : "/bin/sh", argv, envp.data());
    std::fprintf(stderr, "Unable to execute a shell: %s\n", std::strerror(errno));
    return VZ_COMMAND_EXECUTION_ERROR;
}

} // namespace

int enter_ct(const VeConfig &config, const std::vector<std::string> &exec_words) {
    pid_t init = require_init(config);
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        throw_errno(VZ_RESOURCE_ERROR, "Unable to create a socket pair");
    UniqueFd ours(sv[0]), theirs(sv[1]);
    const char *term_env = getenv("TERM");
    const std::string term = term_env ? term_env : "xterm";
    auto body = [&]() -> int { return login_shell_on_pty(theirs.get(), term); };
    pid_t child = spawn_in_ct(config.ctid(), init, ct_capabilities(config), body, {theirs.get()});
    theirs.reset();
    UniqueFd master = receive_fd(ours.get());
    if (!master) {
        int rc = wait_exit_code(child);
        throw Error(rc ? rc : VZ_SYSTEM_ERROR, "Unable to open a terminal in the container");
    }
    log_info("entered into CT " + std::to_string(config.ctid()));
    relay_pty(child, master.get(), exec_words);
    int rc = wait_exit_code(child);
    log_info("exited from CT " + std::to_string(config.ctid()));
    return rc;
}

} // namespace vz
