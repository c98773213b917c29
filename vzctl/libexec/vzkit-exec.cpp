// vzkit-exec: the first program that runs in a container on the host's behalf.
//
// vzctl never lets a process of its own image become visible inside a
// container: a container root that keeps CAP_SYS_PTRACE could attach to it,
// read vzctl's memory and environment, or reopen its /proc/PID/exe (the host's
// binary) for writing. Instead vzctl prepares everything from outside the
// container's pid namespace (cgroup, namespaces, root, fds, session), then
// execs this small static program from a read-only view of its own directory
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
// It is static and links no C or C++ library (rt.h): nothing of the
// container's (its dynamic loader, its libraries) is ever loaded into a
// process that still holds host privileges, no file is read from the
// container's tree, and its start-up costs no CPUID traps.
#include "rt.h"
#include "vzkit/base/exit_codes.h"

#include <asm/ioctls.h>
#include <linux/capability.h>
#include <linux/errno.h>
#include <linux/fcntl.h>
#include <linux/filter.h>
#include <linux/poll.h>
#include <linux/prctl.h>
#include <linux/seccomp.h>
#include <linux/signal.h>

namespace {

constexpr int kMaxFilterBytes = 64 * 1024;
constexpr int kStdin = 0, kStderr = 2;

struct Options {
    bool init = false;
    int seccomp_fd = -1;
    __u64 caps = 0;
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

// The environment vzctl gave us: the command's.
char **g_envp = nullptr;
// As pid 1, errors go to vzctl through the status pipe ("E<code> <message>").
int g_status_fd = -1;

void write_text(int fd, const char *text) {
    if (fd >= 0)
        (void)rt::write(fd, text, rt::strlen(text));
}

[[noreturn]] void die(int code, const char *what) {
    const char *reason = rt::strerror(rt::err);
    if (g_status_fd >= 0) {
        rt::Line line;
        line.add("E").add(code).add(" ").add(what).add(": ").add(reason);
        write_text(g_status_fd, line.text());
    }
    // stderr is whatever vzctl handed over (a pipe back to it, or /dev/null),
    // never a terminal of the host.
    rt::Line line;
    line.add("vzkit-exec: ").add(what).add(": ").add(reason).add("\n");
    write_text(kStderr, line.text());
    rt::exit(code);
}

[[noreturn]] void usage() {
    write_text(kStderr, "vzkit-exec: internal helper of vzctl; not to be run by hand\n");
    rt::exit(vz::VZ_INVALID_PARAMETER_SYNTAX);
}

int to_int(const char *text) {
    long value = 0;
    if (!rt::parse_decimal(text, 0x7fffffff, &value))
        usage();
    return static_cast<int>(value);
}

Options parse(int argc, char **argv) {
    Options o;
    if (argc < 2)
        usage();
    if (rt::streq(argv[1], "init"))
        o.init = true;
    else if (!rt::streq(argv[1], "run"))
        usage();
    for (int i = 2; i < argc; ++i) {
        const char *arg = argv[i];
        auto value = [&]() -> const char * {
            if (i + 1 >= argc)
                usage();
            return argv[++i];
        };
        if (rt::streq(arg, "--")) {
            o.program = argv + i + 1;
            break;
        }
        if (rt::streq(arg, "--seccomp")) {
            o.seccomp_fd = to_int(value());
        } else if (rt::streq(arg, "--caps")) {
            if (!rt::parse_hex(value(), &o.caps))
                usage();
            o.caps_given = true;
        } else if (rt::streq(arg, "--go")) {
            o.go_fd = to_int(value());
        } else if (rt::streq(arg, "--status")) {
            o.status_fd = to_int(value());
        } else if (rt::streq(arg, "--ctty")) {
            o.ctty = true;
        } else if (rt::streq(arg, "--cwd")) {
            o.cwd = value();
        } else if (rt::streq(arg, "--timeout")) {
            o.timeout_s = to_int(value());
        } else if (rt::streq(arg, "--fail-code")) {
            o.fail_code = to_int(value());
        } else if (rt::streq(arg, "--argv0")) {
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
void drop_bounding_set(__u64 mask) {
    for (int cap = 0; cap < 64; ++cap) {
        if (mask & (__u64{1} << cap))
            continue;
        // EINVAL: a capability this kernel does not have.
        if (rt::prctl(PR_CAPBSET_DROP, cap) != 0 && rt::err != EINVAL)
            die(vz::VZ_SET_CAP, "Unable to drop a capability from the bounding set");
    }
}

// The filter vzctl compiled (BPF, as seccomp_export_bpf writes it). Loaded
// while CAP_SYS_ADMIN is still effective, so that no_new_privs — which would
// break setuid programs for the whole container — is not needed.
void load_filter(int fd) {
    static sock_filter program[kMaxFilterBytes / sizeof(sock_filter)];
    char *buf = reinterpret_cast<char *>(program);
    rt::size_t used = 0;
    for (;;) {
        const rt::ssize_t n = rt::read(fd, buf + used, sizeof program - used);
        if (n < 0 && rt::err == EINTR)
            continue;
        if (n < 0)
            die(vz::VZ_ENVCREATE_ERROR, "Unable to read the system-call filter");
        if (n == 0)
            break;
        used += static_cast<rt::size_t>(n);
        if (used == sizeof program) {
            rt::err = EFBIG;
            die(vz::VZ_ENVCREATE_ERROR, "The system-call filter is too large");
        }
    }
    rt::close(fd);
    if (used == 0 || used % sizeof(sock_filter) != 0) {
        rt::err = EINVAL;
        die(vz::VZ_ENVCREATE_ERROR, "The system-call filter is malformed");
    }
    sock_fprog prog{};
    prog.len = static_cast<unsigned short>(used / sizeof(sock_filter));
    prog.filter = program;
    if (rt::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, reinterpret_cast<unsigned long>(&prog)) != 0)
        die(vz::VZ_ENVCREATE_ERROR, "Unable to load the system-call filter");
}

// Permitted and effective down to the mask, inheritable and ambient empty: for
// root, exec adds the inheritable set to the permitted one whatever the
// bounding set says.
void drop_capabilities(__u64 mask) {
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[2] = {};
    if (rt::capget(&header, data) != 0)
        die(vz::VZ_SET_CAP, "Unable to read the capability sets");
    for (int i = 0; i < 2; ++i) {
        const auto part = static_cast<__u32>(mask >> (32 * i));
        data[i].permitted &= part;
        data[i].effective &= part;
        data[i].inheritable = 0;
    }
    if (rt::capset(&header, data) != 0)
        die(vz::VZ_SET_CAP, "Unable to drop capabilities");
    if (rt::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL) != 0 && rt::err != EINVAL)
        die(vz::VZ_SET_CAP, "Unable to clear the ambient capabilities");
}

void take_container_privileges(const Options &o) {
    drop_bounding_set(o.caps);
    load_filter(o.seccomp_fd);
    drop_capabilities(o.caps);
}

[[noreturn]] void run_init(const Options &o) {
    // vzctl learns of the exec of init by this pipe closing.
    if (rt::fcntl(o.status_fd, F_SETFD, FD_CLOEXEC) != 0)
        die(vz::VZ_ENVCREATE_ERROR, "fcntl");
    write_text(o.status_fd, "S");
    char go = 0;
    rt::ssize_t n;
    do {
        n = rt::read(o.go_fd, &go, 1);
    } while (n < 0 && rt::err == EINTR);
    if (n != 1 || go != 'G')
        rt::exit(vz::VZ_ENVCREATE_ERROR); // vzctl gave up and cleans up
    rt::close(o.go_fd);
    int last_errno = ENOENT;
    for (char **program = o.program; *program; ++program) {
        char *argv[] = {const_cast<char *>(o.argv0 ? o.argv0 : *program), nullptr};
        rt::execve(*program, argv, g_envp);
        last_errno = rt::err;
    }
    rt::Line line;
    line.add("E").add(static_cast<long>(o.fail_code)).add(" Unable to start ");
    line.add(o.program[0]).add(": ").add(rt::strerror(last_errno));
    write_text(o.status_fd, line.text());
    rt::exit(o.fail_code);
}

// A file that is no binary the kernel knows is run by /bin/sh, as execvp does.
constexpr int kMaxScriptArgs = 4096;

void exec_as_script(const char *file, char **argv) {
    static char *with_sh[kMaxScriptArgs + 2];
    int n = 0;
    with_sh[n++] = const_cast<char *>("/bin/sh");
    with_sh[n++] = const_cast<char *>(file);
    for (char **a = argv + 1; *a; ++a) {
        if (n == kMaxScriptArgs) {
            rt::err = E2BIG;
            return;
        }
        with_sh[n++] = *a;
    }
    with_sh[n] = nullptr;
    rt::execve(with_sh[0], with_sh, g_envp);
}

// execvpe's rules: a name with a slash as it is; a bare name looked up in
// PATH (the command's own, inside the container), going on past directories
// where it is missing and remembering one where it was not permitted.
void exec_path(const char *file, char **argv) {
    auto run = [&](const char *path) {
        rt::execve(path, argv, g_envp);
        if (rt::err == ENOEXEC)
            exec_as_script(path, argv);
    };
    for (const char *c = file; *c; ++c) {
        if (*c == '/') {
            run(file);
            return;
        }
    }
    const char *path = rt::getenv(g_envp, "PATH");
    if (!path)
        path = "/bin:/usr/bin";
    const rt::size_t file_len = rt::strlen(file);
    bool denied = false;
    for (const char *dir = path;; ++dir) {
        const char *end = dir;
        while (*end && *end != ':')
            ++end;
        char full[4096];
        const rt::size_t dir_len = static_cast<rt::size_t>(end - dir);
        if (dir_len + 1 + file_len < sizeof full) {
            rt::size_t at = 0;
            for (const char *d = dir; d < end; ++d)
                full[at++] = *d;
            if (dir_len)
                full[at++] = '/';
            for (rt::size_t i = 0; i <= file_len; ++i)
                full[at++] = file[i];
            run(full);
            if (rt::err == EACCES)
                denied = true;
            else if (rt::err != ENOENT && rt::err != ENOTDIR && rt::err != ESTALE &&
                     rt::err != ENODEV && rt::err != ETIMEDOUT)
                return;
        }
        if (!*end)
            break;
        dir = end;
    }
    if (denied)
        rt::err = EACCES;
}

[[noreturn]] void exec_command(const Options &o) {
    if (rt::setsid() < 0)
        die(o.fail_code, "setsid");
    if (o.ctty && rt::ioctl(kStdin, TIOCSCTTY, 0) != 0)
        die(vz::VZ_SYSTEM_ERROR, "Unable to make the container's pty the controlling terminal");
    if (o.cwd && rt::chdir(o.cwd) != 0 && rt::chdir("/") != 0)
        die(o.fail_code, "chdir");
    const char *path = o.program[0];
    if (o.argv0)
        o.program[0] = const_cast<char *>(o.argv0);
    exec_path(path, o.program);
    rt::Line line;
    line.add("Unable to execute ").add(path).add(": ").add(rt::strerror(rt::err)).add("\n");
    write_text(kStderr, line.text());
    rt::exit(o.fail_code);
}

int wait_for(int pid) {
    int status = 0;
    while (rt::wait4(pid, &status, 0) < 0) {
        if (rt::err != EINTR)
            return vz::VZ_SYSTEM_ERROR;
    }
    return rt::exit_code(status);
}

// Waits at most timeout_s; on expiry kills the command's whole process group.
int wait_with_timeout(int pid, int timeout_s, int status_fd) {
    const int pidfd = rt::pidfd_open(pid);
    if (pidfd < 0)
        return wait_for(pid);
    const long deadline = rt::monotonic_ms() + static_cast<long>(timeout_s) * 1000;
    for (;;) {
        const long left_ms = deadline - rt::monotonic_ms();
        const int ready = left_ms > 0 ? rt::poll_one(pidfd, POLLIN, static_cast<int>(left_ms)) : 0;
        if (ready < 0 && rt::err == EINTR)
            continue;
        if (ready == 0) {
            rt::kill(-pid, SIGKILL);
            rt::kill(pid, SIGKILL);
            wait_for(pid);
            write_text(status_fd, "T");
            return vz::VZ_EXEC_TIMEOUT;
        }
        break;
    }
    rt::close(pidfd);
    return wait_for(pid);
}

[[noreturn]] void run_command(const Options &o) {
    const int pid = rt::fork();
    if (pid < 0)
        die(vz::VZ_RESOURCE_ERROR, "fork");
    if (pid == 0) {
        if (o.status_fd >= 0)
            rt::close(o.status_fd);
        exec_command(o);
    }
    // The command owns the terminal and the pipes; we only wait for it.
    rt::exit(o.timeout_s > 0 ? wait_with_timeout(pid, o.timeout_s, o.status_fd) : wait_for(pid));
}

} // namespace

int main(int argc, char **argv, char **envp) {
    g_envp = envp;
    const Options options = parse(argc, argv);
    if (options.init)
        g_status_fd = options.status_fd;
    take_container_privileges(options);
    if (options.init)
        run_init(options);
    run_command(options);
}
