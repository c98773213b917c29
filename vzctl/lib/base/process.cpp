#include "vzkit/base/process.h"

#include "vzkit/base/error.h"
#include "vzkit/base/util.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <exception>
#include <filesystem>
#include <system_error>
#include <thread>

namespace vz {

Pipe make_pipe() {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        throw_errno(VZ_RESOURCE_ERROR, "Unable to create a pipe");
    return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

void close_fds_except_in_place(std::span<int> keep) {
    std::ranges::sort(keep);
    unsigned first = STDERR_FILENO + 1;
    for (int fd : keep) {
        if (fd < static_cast<int>(first))
            continue;
        if (static_cast<unsigned>(fd) > first)
            syscall(SYS_close_range, first, static_cast<unsigned>(fd) - 1, 0U);
        first = static_cast<unsigned>(fd) + 1;
    }
    syscall(SYS_close_range, first, UINT_MAX, 0U);
}

void close_fds_except(std::vector<int> keep) {
    close_fds_except_in_place(keep);
}

bool process_alive(pid_t pid) {
    if (::kill(pid, 0) != 0 && errno != EPERM)
        return false;
    const std::string proc = "/proc/" + std::to_string(pid);
    return ::access(proc.c_str(), F_OK) == 0;
}

int wait_exit_code(pid_t pid) {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            return VZ_SYSTEM_ERROR;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

ScopedSignal::ScopedSignal(int signal, void (*handler)(int)) : signal_(signal) {
    struct sigaction sa {};
    sa.sa_handler = handler;
    sigaction(signal_, &sa, &old_);
}

ScopedSignal::~ScopedSignal() {
    sigaction(signal_, &old_, nullptr);
}

bool write_all(int fd, const char *data, size_t len) {
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        data += n;
        len -= static_cast<size_t>(n);
    }
    return true;
}

bool pump(int from, int to) {
    char buf[16384];
    ssize_t n = read(from, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return true;
    if (n <= 0)
        return false;
    return write_all(to, buf, static_cast<size_t>(n));
}

UniqueFd open_pidfd(pid_t pid) {
    return UniqueFd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
}

// Through syscall(): Debian 12's <sys/pidfd.h> lacks C linkage for C++.
int pidfd_signal(int pidfd, int signal) {
    return static_cast<int>(syscall(SYS_pidfd_send_signal, pidfd, signal, nullptr, 0));
}

bool pidfd_alive(int pidfd) {
    return pidfd_signal(pidfd, 0) == 0;
}

void drain(int from, int to) {
    fcntl(from, F_SETFL, fcntl(from, F_GETFL) | O_NONBLOCK);
    char buf[16384];
    ssize_t n;
    while ((n = read(from, buf, sizeof buf)) > 0)
        write_all(to, buf, static_cast<size_t>(n));
}

std::optional<std::vector<int>> poll_readable(const std::vector<int> &fds, int timeout_ms) {
    std::vector<pollfd> polled;
    for (int fd : fds)
        polled.push_back({fd, POLLIN, 0}); // poll() itself skips a negative fd
    if (poll(polled.data(), polled.size(), timeout_ms) < 0)
        return errno == EINTR ? std::optional(std::vector<int>{}) : std::nullopt;
    std::vector<int> ready;
    for (const auto &p : polled)
        if (p.revents)
            ready.push_back(p.fd);
    return ready;
}

void relay_pipes(pid_t child, UniqueFd child_in, UniqueFd child_out, UniqueFd child_err,
                 const std::optional<std::string> &input) {
    const ScopedSignal ignore_sigpipe(SIGPIPE, SIG_IGN);
    UniqueFd pidfd = open_pidfd(child);
    bool stdin_open = true;
    if (input) {
        write_all(child_in.get(), input->data(), input->size());
        child_in.reset();
        stdin_open = false;
    }
    while (child_out || child_err) {
        auto ready = poll_readable({stdin_open && child_in ? STDIN_FILENO : -1, child_out.get(),
                                    child_err.get(), pidfd.get()});
        if (!ready)
            break;
        for (int fd : *ready) {
            if (fd == STDIN_FILENO) {
                if (!pump(STDIN_FILENO, child_in.get())) {
                    child_in.reset();
                    stdin_open = false;
                }
            } else if (fd == child_out.get()) {
                if (!pump(child_out.get(), STDOUT_FILENO))
                    child_out.reset();
            } else if (fd == child_err.get()) {
                if (!pump(child_err.get(), STDERR_FILENO))
                    child_err.reset();
            } else if (pidfd && fd == pidfd.get()) {
                // The command is gone; what it left running in the background
                // must not keep vzctl waiting on the pipes it inherited.
                if (child_out)
                    drain(child_out.get(), STDOUT_FILENO);
                if (child_err)
                    drain(child_err.get(), STDERR_FILENO);
                return;
            }
        }
    }
}

std::string system_program(const std::string &name, int code) {
    for (const char *dir : {"/usr/sbin", "/sbin", "/usr/bin", "/bin"}) {
        const std::filesystem::path p = std::filesystem::path(dir) / name;
        if (access(p.c_str(), X_OK) == 0)
            return p.string();
    }
    throw Error(code, name + " is not installed (scripts/install-deps.sh)");
}

std::string libexec_program(std::string_view name) {
    std::error_code ec;
    const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        auto beside = self.parent_path().parent_path() / "libexec/vzkit" / name;
        if (access(beside.c_str(), X_OK) == 0)
            return beside.string();
    }
    return std::string(VZKIT_LIBEXECDIR) + "/vzkit/" + std::string(name);
}

ProgramOutput run_captured(const std::vector<std::string> &argv,
                           const std::vector<std::string> &env, int code, int netns_fd) {
    const CStringArray cargv(argv);
    const CStringArray cenv(env);
    Pipe out = make_pipe();
    const pid_t pid = fork();
    if (pid < 0)
        throw_errno(code, "Unable to fork");
    if (pid == 0) {
        if (netns_fd >= 0 && setns(netns_fd, CLONE_NEWNET) != 0)
            _exit(126);
        const int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
        dup2(null, 0);
        dup2(out.write.get(), 1);
        dup2(out.write.get(), 2);
        close_fds_except({});
        execve(cargv.data()[0], cargv.data(), cenv.data());
        _exit(127);
    }
    out.write.reset();
    ProgramOutput result;
    char buf[4096];
    for (;;) {
        const ssize_t n = read(out.read.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        result.text.append(buf, static_cast<std::size_t>(n));
    }
    result.status = wait_exit_code(pid);
    return result;
}

void run_chrooted(const std::filesystem::path &root, const std::function<void()> &fn, int code) {
    UniqueFd dir(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!dir)
        throw_errno(code, "Unable to open " + root.string());
    std::exception_ptr failure;
    std::thread worker;
    try {
        worker = std::thread([&] {
            try {
                // CLONE_FS unshared, the chroot is this thread's alone.
                if (::unshare(CLONE_FS) != 0)
                    throw_errno(code, "Unable to unshare the file system attributes");
                if (::fchdir(dir.get()) != 0 || ::chroot(".") != 0)
                    throw_errno(code, "Unable to change root to " + root.string());
                fn();
            } catch (...) {
                failure = std::current_exception();
            }
        });
    } catch (const std::system_error &e) {
        throw Error(code, std::string("No thread to run in ") + root.string() + ": " + e.what());
    }
    worker.join();
    if (failure)
        std::rethrow_exception(failure);
}

} // namespace vz
