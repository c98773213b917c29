// vzkit-exec: the first program that runs in a container on the host's behalf.
//
// vzctl never lets a process of its own image become visible inside a
// container: a container root that keeps CAP_SYS_PTRACE could attach to it,
// read vzctl's memory and environment, or reopen its /proc/PID/exe (the host's
// binary) for writing. Instead vzctl prepares everything from outside the
// container's pid namespace (cgroup, namespaces, root, fds, session), then
// execs this small static program from a sealed in-memory copy
// (docs/security.md, "Entering a container"). It takes the container's
// privileges — bounding set, system-call filter, then the capability sets, in
// that order so that "filter loaded and permitted set within the bounding set"
// means "done" (vz::init_is_settled) — and only then lets anything run inside:
//
//   vzkit-exec init --seccomp FD --caps HEX --go FD --status FD
//                   [--argv0 NAME] [--fail-code N] -- PROGRAM...
//     As the container's pid 1: reports 'S' on the status pipe, waits for 'G'
//     on the go pipe, then execs the first PROGRAM that exists (init, or the
//     runscript shell), or reports "E<code> <message>".
//
//   vzkit-exec run --seccomp FD --caps HEX [--ctty] [--cwd DIR]
//                  [--timeout SECONDS --status FD] [--fail-code N] -- PROGRAM ARG...
//     Forks the command into the container's pid namespace (vzctl joined it;
//     only children enter it), as the leader of a new session — with fd 0 as
//     its controlling terminal when --ctty — and returns its exit status
//     (128 + signal when killed). With --timeout the whole process group is
//     killed when it runs out, 'T' is written on the status fd and the exit
//     code is 15 (OpenVZ's SCRIPT_EXEC_TIMEOUT).
//
// It is static so that nothing of the container's (its dynamic loader, its
// libraries) is ever loaded into a process that still holds host privileges,
// and it uses only system calls: no file is read from the container's tree.
#include "vzkit/base/error.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace {

constexpr int kMaxFilterBytes = 64 * 1024;

struct Options {
    bool init = false;
    int seccomp_fd = -1;
    std::uint64_t caps = 0;
    bool caps_given = false;
    int go_fd = -1;
    int status_fd = -1;
    bool ctty = false;
    const char *cwd = nullptr;
    int timeout_s = 0;
    int fail_code = vz::VZ_COMMAND_EXECUTION_ERROR;
    const char *argv0 = nullptr;
    char **program = nullptr; // argv after "--"
};

// As pid 1, errors go to vzctl through the status pipe ("E<code> <message>").
int g_status_fd = -1;

[[noreturn]] void die(int code, const char *what) {
    const char *reason = std::strerror(errno);
    if (g_status_fd >= 0) {
        std::array<char, 256> line{};
        std::snprintf(line.data(), line.size(), "E%d %s: %s", code, what, reason);
        (void)!write(g_status_fd, line.data(), std::strlen(line.data()));
    }
    // stderr is whatever vzctl handed over (a pipe back to it, or /dev/null),
    // never a terminal of the host.
    std::fprintf(stderr, "vzkit-exec: %s: %s\n", what, reason);
    _exit(code);
}

[[noreturn]] void usage() {
    std::fputs("vzkit-exec: internal helper of vzctl; not to be run by hand\n", stderr);
    _exit(vz::VZ_INVALID_PARAMETER_SYNTAX);
}

int to_int(const char *text) {
    char *end = nullptr;
    errno = 0;
    long value = std::strtol(text, &end, 10);
    if (errno || !end || *end || value < 0 || value > 0x7fffffff)
        usage();
    return static_cast<int>(value);
}

Options parse(int argc, char **argv) {
    Options o;
    if (argc < 2)
        usage();
    const std::string_view mode = argv[1];
    if (mode == "init")
        o.init = true;
    else if (mode != "run")
        usage();
    for (int i = 2; i < argc; ++i) {
        const std::string_view arg = argv[i];
        auto value = [&]() -> const char * {
            if (i + 1 >= argc)
                usage();
            return argv[++i];
        };
        if (arg == "--") {
            o.program = argv + i + 1;
            break;
        }
        if (arg == "--seccomp") {
            o.seccomp_fd = to_int(value());
        } else if (arg == "--caps") {
            char *end = nullptr;
            const char *text = value();
            o.caps = std::strtoull(text, &end, 16);
            if (!end || *end)
                usage();
            o.caps_given = true;
        } else if (arg == "--go") {
            o.go_fd = to_int(value());
        } else if (arg == "--status") {
            o.status_fd = to_int(value());
        } else if (arg == "--ctty") {
            o.ctty = true;
        } else if (arg == "--cwd") {
            o.cwd = value();
        } else if (arg == "--timeout") {
            o.timeout_s = to_int(value());
        } else if (arg == "--fail-code") {
            o.fail_code = to_int(value());
        } else if (arg == "--argv0") {
            o.argv0 = value();
        } else {
            usage();
        }
    }
    if (!o.program || !o.program[0] || o.seccomp_fd < 0 || !o.caps_given)
        usage();
    if (o.init && (o.go_fd < 0 || o.status_fd < 0))
        usage();
    if (o.timeout_s > 0 && o.status_fd < 0)
        usage();
    return o;
}

// The bounding set first: from here on nothing we exec can gain more.
void drop_bounding_set(std::uint64_t mask) {
    for (int cap = 0; cap < 64; ++cap) {
        if (mask & (std::uint64_t{1} << cap))
            continue;
        // EINVAL: a capability this kernel does not have.
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL)
            die(vz::VZ_SET_CAP, "Unable to drop a capability from the bounding set");
    }
}

// The filter vzctl compiled (BPF, as seccomp_export_bpf writes it). Loaded
// while CAP_SYS_ADMIN is still effective, so that no_new_privs — which would
// break setuid programs for the whole container — is not needed.
void load_filter(int fd) {
    static std::array<char, kMaxFilterBytes> buf;
    std::size_t used = 0;
    for (;;) {
        ssize_t n = read(fd, buf.data() + used, buf.size() - used);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            die(vz::VZ_ENVCREATE_ERROR, "Unable to read the system-call filter");
        if (n == 0)
            break;
        used += static_cast<std::size_t>(n);
        if (used == buf.size()) {
            errno = EFBIG;
            die(vz::VZ_ENVCREATE_ERROR, "The system-call filter is too large");
        }
    }
    close(fd);
    if (used == 0 || used % sizeof(sock_filter) != 0) {
        errno = EINVAL;
        die(vz::VZ_ENVCREATE_ERROR, "The system-call filter is malformed");
    }
    sock_fprog prog{};
    prog.len = static_cast<unsigned short>(used / sizeof(sock_filter));
    prog.filter = reinterpret_cast<sock_filter *>(buf.data());
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) != 0)
        die(vz::VZ_ENVCREATE_ERROR, "Unable to load the system-call filter");
}

// Permitted and effective down to the mask, inheritable and ambient empty: for
// root, exec adds the inheritable set to the permitted one whatever the
// bounding set says.
void drop_capabilities(std::uint64_t mask) {
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    std::array<__user_cap_data_struct, 2> data{};
    if (syscall(SYS_capget, &header, data.data()) != 0)
        die(vz::VZ_SET_CAP, "Unable to read the capability sets");
    for (int i = 0; i < 2; ++i) {
        const auto part = static_cast<std::uint32_t>(mask >> (32 * i));
        data[i].permitted &= part;
        data[i].effective &= part;
        data[i].inheritable = 0;
    }
    if (syscall(SYS_capset, &header, data.data()) != 0)
        die(vz::VZ_SET_CAP, "Unable to drop capabilities");
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)
        die(vz::VZ_SET_CAP, "Unable to clear the ambient capabilities");
}

void take_container_privileges(const Options &o) {
    drop_bounding_set(o.caps);
    load_filter(o.seccomp_fd);
    drop_capabilities(o.caps);
}

void write_status(int fd, const char *text) {
    if (fd >= 0)
        (void)!write(fd, text, std::strlen(text));
}

[[noreturn]] void run_init(const Options &o) {
    // vzctl learns of the exec of init by this pipe closing.
    if (fcntl(o.status_fd, F_SETFD, FD_CLOEXEC) != 0)
        die(vz::VZ_ENVCREATE_ERROR, "fcntl");
    write_status(o.status_fd, "S");
    char go = 0;
    ssize_t n;
    do {
        n = read(o.go_fd, &go, 1);
    } while (n < 0 && errno == EINTR);
    if (n != 1 || go != 'G')
        _exit(vz::VZ_ENVCREATE_ERROR); // vzctl gave up and cleans up
    close(o.go_fd);
    int last_errno = ENOENT;
    for (char **program = o.program; *program; ++program) {
        char *argv[] = {const_cast<char *>(o.argv0 ? o.argv0 : *program), nullptr};
        execve(*program, argv, environ);
        last_errno = errno;
    }
    std::array<char, 256> line{};
    std::snprintf(line.data(), line.size(), "E%d Unable to start %s: %s", o.fail_code,
                  o.program[0], std::strerror(last_errno));
    write_status(o.status_fd, line.data());
    _exit(o.fail_code);
}

[[noreturn]] void exec_command(const Options &o) {
    if (setsid() < 0)
        die(o.fail_code, "setsid");
    if (o.ctty && ioctl(STDIN_FILENO, TIOCSCTTY, 0) != 0)
        die(vz::VZ_SYSTEM_ERROR, "Unable to make the container's pty the controlling terminal");
    if (o.cwd && chdir(o.cwd) != 0 && chdir("/") != 0)
        die(o.fail_code, "chdir");
    const char *path = o.program[0];
    if (o.argv0)
        o.program[0] = const_cast<char *>(o.argv0);
    // PATH lookup in the command's own environment, inside the container.
    execvpe(path, o.program, environ);
    std::fprintf(stderr, "Unable to execute %s: %s\n", path, std::strerror(errno));
    _exit(o.fail_code);
}

int exit_code(int status) {
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int wait_for(pid_t pid) {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            return vz::VZ_SYSTEM_ERROR;
    }
    return exit_code(status);
}

// Waits at most timeout_s; on expiry kills the command's whole process group.
int wait_with_timeout(pid_t pid, int timeout_s, int status_fd) {
    const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
    if (pidfd < 0)
        return wait_for(pid);
    pollfd p{pidfd, POLLIN, 0};
    timespec start{};
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        timespec now{};
        clock_gettime(CLOCK_MONOTONIC, &now);
        const long spent_ms = (now.tv_sec - start.tv_sec) * 1000 +
                              (now.tv_nsec - start.tv_nsec) / 1000000;
        const long left_ms = static_cast<long>(timeout_s) * 1000 - spent_ms;
        const int ready = left_ms > 0 ? poll(&p, 1, static_cast<int>(left_ms)) : 0;
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready == 0) {
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            wait_for(pid);
            write_status(status_fd, "T");
            return vz::VZ_EXEC_TIMEOUT;
        }
        break;
    }
    close(pidfd);
    return wait_for(pid);
}

[[noreturn]] void run_command(const Options &o) {
    const pid_t pid = fork();
    if (pid < 0)
        die(vz::VZ_RESOURCE_ERROR, "fork");
    if (pid == 0) {
        if (o.status_fd >= 0)
            close(o.status_fd);
        exec_command(o);
    }
    // The command owns the terminal and the pipes; we only wait for it.
    _exit(o.timeout_s > 0 ? wait_with_timeout(pid, o.timeout_s, o.status_fd) : wait_for(pid));
}

} // namespace

int main(int argc, char **argv) {
    const Options options = parse(argc, argv);
    if (options.init)
        g_status_fd = options.status_fd;
    take_container_privileges(options);
    if (options.init)
        run_init(options);
    run_command(options);
}
