// Entering a running container: finding its init and checking that it is
// settled, the child that joins from outside the pid namespace, and vzkit-exec
// that starts the command inside (ct/enter.h, docs/security.md).
#include "vzkit/ct/enter.h"

#include "vzkit/base/error.h"
#include "vzkit/base/process.h"
#include "vzkit/base/util.h"
#include "vzkit/cgroup/cgroup.h"
#include "vzkit/ct/features.h"
#include "vzkit/ct/helper.h"
#include "vzkit/ct/hooks.h"
#include "vzkit/ct/state.h"
#include "vzkit/proc/parse.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <memory>
#include <span>
#include <thread>

namespace vz {
namespace {

// How long a command waits for a container that is still starting.
constexpr auto kSettleWait = std::chrono::seconds(10);

constexpr int kJoinAll =
    CLONE_NEWCGROUP | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWNS;

struct CtInit {
    explicit CtInit(Ctid ctid) : cgroup(ctid) {}
    // Its group, whose layout the joining child reuses rather than reading
    // mountinfo again (docs/architecture.md, costs).
    Cgroup cgroup;
    pid_t pid = -1;
    UniqueFd pidfd;
    UniqueFd root;      // O_PATH of its root directory
    CapMask bounding{}; // its capability bounding set
};

std::optional<std::string> field(const std::string &status, std::string_view key) {
    for (const auto &line : split(status, '\n')) {
        if (line.size() > key.size() && line.starts_with(key) && line[key.size()] == ':')
            return std::string(trim(std::string_view(line).substr(key.size() + 1)));
    }
    return std::nullopt;
}

std::optional<CapMask> hex_field(const std::string &status, std::string_view key) {
    auto value = field(status, key);
    if (!value)
        return std::nullopt;
    return static_cast<CapMask>(std::stoull(*value, nullptr, 16));
}

// The rule of find_init_pid (is_ns_init, vzkit/proc/parse.h) ...
bool is_ns_init(const std::string &status, size_t own_depth) {
    ProcStatus parsed;
    return parse_proc_status(status, parsed) && vz::is_ns_init(parsed, own_depth);
}

// ... and in vz/<CTID>.
bool in_ct_group(Ctid ctid, pid_t pid) {
    const auto owner =
        parse_cgroup_owner(read_file("/proc/" + std::to_string(pid) + "/cgroup").value_or(""));
    return owner.kind == CgroupOwner::Kind::Ct && owner.ctid == ctid;
}

// vzkit-exec drops the bounding set, loads the filter, then shrinks the
// permitted set: a filter in place and a permitted set within the bounding
// set mean the init holds nothing the container may not have.
bool is_settled(const std::string &status) {
    auto seccomp = field(status, "Seccomp");
    auto prm = hex_field(status, "CapPrm"), bnd = hex_field(status, "CapBnd");
    return seccomp == "2" && prm && bnd && (*prm & ~*bnd) == 0;
}

CtInit open_ct_init(const CtConfig &config) {
    const auto deadline = std::chrono::steady_clock::now() + kSettleWait;
    const size_t own_depth = own_pid_depth();
    for (;;) {
        CtInit init(config.ctid());
        // The rule of find_init_pid, each candidate pinned by a pidfd before
        // its status is read: if it is still alive after the checks,
        // everything opened by pid below belongs to it.
        std::optional<std::string> status;
        for (pid_t pid : init.cgroup.member_pids()) {
            UniqueFd pidfd = open_pidfd(pid);
            auto candidate =
                pidfd ? read_file("/proc/" + std::to_string(pid) + "/status") : std::nullopt;
            if (candidate && is_ns_init(*candidate, own_depth)) {
                init.pid = pid;
                init.pidfd = std::move(pidfd);
                status = std::move(candidate);
                break;
            }
        }
        if (!status)
            throw Error(VZ_VE_NOT_RUNNING, "Container is not running");
        const std::string proc = "/proc/" + std::to_string(init.pid);
        init.root = UniqueFd(::open((proc + "/root").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
        const bool same =
            init.root && in_ct_group(config.ctid(), init.pid) && pidfd_alive(init.pidfd.get());
        if (same && is_settled(*status)) {
            init.bounding = hex_field(*status, "CapBnd").value_or(0);
            return init;
        }
        if (std::chrono::steady_clock::now() > deadline)
            throw Error(VZ_ENVCREATE_ERROR,
                        same ? "Unable to enter the container: it is still starting (its init "
                               "holds the host's privileges)"
                             : "Unable to enter the container: its init changed while joining");
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

[[noreturn]] void child_fail(int code, const std::string &what) {
    std::fprintf(stderr, "%s: %s\n", what.c_str(), std::strerror(errno));
    _exit(code);
}

// exec does not take the container's lock: a stop may end the container
// between the look-up of its init and the joining of its group and
// namespaces. That is a container that is not running, not a failure.
// The init has gone (reaped) or is going (a zombie, whose namespaces are
// gone, so setns says ESRCH), or the container's group has no init left.
void exit_if_stopped(const CtConfig &config, const CtInit &init, int setns_errno = 0) {
    const auto not_running = [&]() noexcept {
        try {
            return !is_running(config.ctid());
        } catch (...) {
            return false;
        }
    };
    const bool gone =
        setns_errno == ESRCH || (!pidfd_alive(init.pidfd.get()) && errno == ESRCH) || not_running();
    if (gone) {
        std::fputs("Container is not running\n", stderr);
        _exit(VZ_VE_NOT_RUNNING);
    }
}

// Ignored signals stay ignored across exec; the command must start with the
// defaults whatever vzctl was doing (a relay ignores SIGPIPE).
void reset_signals() {
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; ++sig)
        ::sigaction(sig, &dfl, nullptr);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
}

void join(const CtConfig &config, const CtInit &init, int namespaces) {
    if (::setns(init.pidfd.get(), namespaces) != 0) {
        const int saved = errno;
        exit_if_stopped(config, init, saved);
        errno = saved;
        child_fail(VZ_ENVCREATE_ERROR,
                   "Unable to join the namespaces of CT " + std::to_string(config.ctid()));
    }
    // The init's own root: after setns(mnt) we stand at the namespace's root
    // mount, which is the container's root only if nothing above it was chrooted.
    if ((namespaces & CLONE_NEWNS) &&
        (::fchdir(init.root.get()) != 0 || ::chroot(".") != 0 || ::chdir("/") != 0))
        child_fail(VZ_ENVCREATE_ERROR,
                   "Unable to enter the root of CT " + std::to_string(config.ctid()));
}

// An fd of the container's own node, opened without following a last-component
// symlink, checked to be the device it must be (a container may have put
// anything at that path).
UniqueFd open_ct_device(const char *path, unsigned major, unsigned minor) {
    UniqueFd fd(::open(path, O_RDWR | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
    struct stat st {};
    if (!fd || ::fstat(fd.get(), &st) != 0 || !S_ISCHR(st.st_mode) ||
        st.st_rdev != makedev(major, minor)) {
        errno = errno ? errno : ENODEV;
        return UniqueFd();
    }
    ::fcntl(fd.get(), F_SETFL, ::fcntl(fd.get(), F_GETFL) & ~O_NONBLOCK);
    return fd;
}

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

bool send_fd(int sock, int fd) {
    FdMessage m;
    cmsghdr *cmsg = CMSG_FIRSTHDR(&m.msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
    return ::sendmsg(sock, &m.msg, 0) == 1;
}

UniqueFd receive_fd(int sock) {
    FdMessage m;
    if (::recvmsg(sock, &m.msg, MSG_CMSG_CLOEXEC) <= 0)
        return UniqueFd();
    cmsghdr *cmsg = CMSG_FIRSTHDR(&m.msg);
    if (!cmsg || cmsg->cmsg_type != SCM_RIGHTS)
        return UniqueFd();
    int fd;
    std::memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
    return UniqueFd(fd);
}

// A pty of the container's devpts instance: the master goes to vzctl over
// sock, the slave is returned. Paths are the container's; the checks make sure
// they are its devpts and ptmx.
UniqueFd open_ct_pty(int sock) {
    UniqueFd master = open_ct_device("/dev/pts/ptmx", 5, 2);
    struct statfs sfs {};
    if (!master || ::fstatfs(master.get(), &sfs) != 0 || sfs.f_type != DEVPTS_SUPER_MAGIC)
        child_fail(VZ_SYSTEM_ERROR, "Unable to open the container's /dev/pts/ptmx");
    int unlock = 0;
    if (::ioctl(master.get(), TIOCSPTLCK, &unlock) != 0)
        child_fail(VZ_SYSTEM_ERROR, "Unable to unlock a pty in the container");
    // The slave through the master, not through a path the container owns.
    UniqueFd slave(::ioctl(master.get(), TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (!slave)
        child_fail(VZ_SYSTEM_ERROR, "Unable to open a pty in the container");
    if (!send_fd(sock, master.get()))
        child_fail(VZ_SYSTEM_ERROR, "Unable to pass the pty to vzctl");
    return slave;
}

// Everything the entering child needs, made by vzctl before the clone: the
// child shares vzctl's memory while vzctl waits (CLONE_VM|CLONE_VFORK, as
// posix_spawn), so on its way to exec it only makes system calls — no
// allocation, no exception; only a failure allocates its message — and it
// costs neither a copy of vzctl's page tables nor their teardown at the exec
// (docs/benchmarks.md, issue 15).
struct EnterPlan {
    const CtConfig &config;
    const CtInit &init;
    const CtCommand &cmd;
    std::vector<Cgroup::AttachTarget> cgroups;
    int pty_sock = -1;
    // The alternatives of cmd.programs, each with the argv vzkit-exec gets
    // when it is the one that runs; the first executable inside runs, a bare
    // name is left to vzkit-exec's PATH look-up.
    std::vector<std::string> programs;
    std::vector<CStringArray> argvs;
    CStringArray env;
    int helper = -1;
    // Handed to vzkit-exec (close-on-exec cleared): the filter and the status
    // pipe. The helper's own fd stays close-on-exec: nothing in the container
    // may hold a file of the host's, and criu could not dump it.
    std::array<int, 2> pass;
};

std::size_t pick_program(const EnterPlan &plan) {
    for (std::size_t i = 0; i < plan.programs.size(); ++i) {
        const std::string &program = plan.programs[i];
        if (program.find('/') == std::string::npos || ::access(program.c_str(), X_OK) == 0)
            return i;
    }
    return plan.programs.size() - 1;
}

std::vector<std::string> helper_argv(const CtCommand &cmd, int filter_fd, CapMask caps,
                                     const std::string &program) {
    std::vector<std::string> argv = {"vzkit-exec", "run"};
    for (auto &arg : ct_helper_privilege_args(filter_fd, caps))
        argv.push_back(std::move(arg));
    if (cmd.pty)
        argv.push_back("--ctty");
    argv.insert(argv.end(), {"--cwd", cmd.cwd.empty() ? "/" : cmd.cwd, "--fail-code",
                             std::to_string(cmd.fail_code)});
    if (cmd.timeout_s > 0)
        argv.insert(argv.end(), {"--timeout", std::to_string(cmd.timeout_s), "--status",
                                 std::to_string(cmd.status_fd)});
    if (cmd.login)
        argv.insert(argv.end(),
                    {"--argv0", "-" + std::filesystem::path(program).filename().string()});
    argv.push_back("--");
    argv.push_back(program);
    argv.insert(argv.end(), cmd.args.begin(), cmd.args.end());
    return argv;
}

[[noreturn]] int enter_and_exec(void *arg) {
    EnterPlan &plan = *static_cast<EnterPlan *>(arg);
    const CtCommand &cmd = plan.cmd;
    for (const auto &target : plan.cgroups) {
        if (::write(target.fd.get(), "0", 1) != 1) {
            const int saved = errno;
            exit_if_stopped(plan.config, plan.init);
            errno = saved;
            child_fail(VZ_ENVCREATE_ERROR, "Unable to write 0 to " + target.path);
        }
    }
    join(plan.config, plan.init, kJoinAll);
    // No controlling terminal of the host's from here on.
    if (::setsid() < 0)
        child_fail(VZ_ENVCREATE_ERROR, "setsid");
    std::array<UniqueFd, 3> own; // what we opened ourselves for stdio
    std::array<int, 3> stdio = cmd.stdio;
    if (cmd.pty) {
        own[0] = open_ct_pty(plan.pty_sock);
        stdio = {own[0].get(), own[0].get(), own[0].get()};
    } else {
        for (int i = 0; i < 3; ++i) {
            if (stdio[i] >= 0)
                continue;
            own[i] = open_ct_device("/dev/null", 1, 3);
            if (!own[i])
                child_fail(VZ_ENVCREATE_ERROR, "The container's /dev/null is not the null device");
            stdio[i] = own[i].get();
        }
    }
    // Above stderr, so that dup2 onto 0-2 cannot clobber them.
    std::array<int, 3> moved{};
    for (int i = 0; i < 3; ++i) {
        moved[i] = ::fcntl(stdio[i], F_DUPFD_CLOEXEC, 3);
        if (moved[i] < 0)
            child_fail(VZ_ENVCREATE_ERROR, "dup");
    }
    for (int i = 0; i < 3; ++i)
        if (::dup2(moved[i], i) < 0)
            child_fail(VZ_ENVCREATE_ERROR, "dup2");
    std::array<int, 3> keep = {plan.pass[0], plan.pass[1], plan.helper};
    close_fds_except_in_place(keep);
    const std::size_t program = pick_program(plan);
    reset_signals();
    exec_ct_helper(plan.argvs[program].data(), plan.env.data(), plan.pass);
    child_fail(VZ_ENVCREATE_ERROR, "Unable to execute vzkit-exec");
}

// Every signal blocked while a child shares our memory: none of our handlers
// may run on its stack; it sets the defaults before it execs.
class SignalsBlocked {
  public:
    SignalsBlocked() {
        sigset_t all;
        sigfillset(&all);
        ::sigprocmask(SIG_SETMASK, &all, &saved_);
    }
    SignalsBlocked(const SignalsBlocked &) = delete;
    SignalsBlocked &operator=(const SignalsBlocked &) = delete;
    ~SignalsBlocked() { ::sigprocmask(SIG_SETMASK, &saved_, nullptr); }

  private:
    sigset_t saved_{};
};

// The entering child's own stack: it runs beside our frames, not on them.
constexpr std::size_t kChildStack = 256 * 1024;

} // namespace

std::vector<std::string> default_exec_env() {
    return {"HOME=/", "TERM=linux", "PATH=" + std::string(kScriptPath)};
}

CapMask ct_capabilities(const CtConfig &config) {
    return apply_capability_setting(default_capability_mask(), config.get_or("CAPABILITY", ""));
}

Spawned spawn_in_ct(const CtConfig &config, const CtCommand &cmd) {
    const CtInit init = open_ct_init(config);
    // Never more than the running container has, even if the config grew.
    const CapMask caps = ct_capabilities(config) & init.bounding;
    const int helper = ct_helper_fd(); // opened here, before the clone, once per process
    UniqueFd filter = ct_filter_pipe(feature_enabled(config, "nesting"));
    UniqueFd ours, theirs;
    if (cmd.pty) {
        int sv[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
            throw_errno(VZ_RESOURCE_ERROR, "Unable to create a socket pair");
        ours = UniqueFd(sv[0]);
        theirs = UniqueFd(sv[1]);
    }
    EnterPlan plan{.config = config,
                   .init = init,
                   .cmd = cmd,
                   .cgroups = {},
                   .pty_sock = theirs.get(),
                   .programs =
                       cmd.programs.empty() ? std::vector<std::string>{"/bin/sh"} : cmd.programs,
                   .argvs = {},
                   .env = CStringArray(cmd.env),
                   .helper = helper,
                   .pass = {filter.get(), cmd.status_fd}};
    try {
        plan.cgroups = init.cgroup.open_attach_targets();
    } catch (const Error &e) {
        // A stop removing the group under us: not running, not a failure.
        if (!is_running(config.ctid()))
            throw Error(VZ_VE_NOT_RUNNING, "Container is not running");
        throw Error(VZ_ENVCREATE_ERROR, e.what());
    }
    for (const auto &program : plan.programs)
        plan.argvs.emplace_back(helper_argv(cmd, filter.get(), caps, program));
    const auto stack = std::make_unique_for_overwrite<char[]>(kChildStack);
    pid_t pid;
    {
        const SignalsBlocked blocked;
        // Our end of the pty socket is close-on-exec: the child's copy goes at
        // its exec, and it never reads it.
        pid = ::clone(enter_and_exec, stack.get() + kChildStack, CLONE_VM | CLONE_VFORK | SIGCHLD,
                      &plan);
    }
    if (pid < 0)
        throw_errno(VZ_RESOURCE_ERROR, "Unable to fork");
    theirs.reset();
    Spawned spawned;
    spawned.pid = pid;
    if (cmd.pty) {
        spawned.pty_master = receive_fd(ours.get());
        if (!spawned.pty_master) {
            int rc = wait_exit_code(pid);
            throw Error(rc ? rc : VZ_SYSTEM_ERROR, "Unable to open a terminal in the container");
        }
    }
    return spawned;
}

int run_in_ct_namespaces(const CtConfig &config, int namespaces, const std::function<int()> &body) {
    const CtInit init = open_ct_init(config);
    const int flags =
        ((namespaces & kCtNsUts) ? CLONE_NEWUTS : 0) | ((namespaces & kCtNsMnt) ? CLONE_NEWNS : 0);
    pid_t pid = ::fork();
    if (pid < 0)
        throw_errno(VZ_RESOURCE_ERROR, "Unable to fork");
    if (pid == 0) {
        join(config, init, flags);
        _exit(body());
    }
    return wait_exit_code(pid);
}

UniqueFd take_console_master(const CtConfig &config) {
    CtInit init = open_ct_init(config);
    UniqueFd master(static_cast<int>(::syscall(SYS_pidfd_getfd, init.pidfd.get(), kConsoleFd, 0)));
    struct stat st {};
    int number = -1;
    // A pty master (/dev/ptmx or pts/ptmx, 5:2): any the container can open
    // belongs to its own devpts. Nothing else is read, written or ioctl'd.
    if (!master || ::fstat(master.get(), &st) != 0 || !S_ISCHR(st.st_mode) ||
        major(st.st_rdev) != 5 || minor(st.st_rdev) != 2 ||
        ::ioctl(master.get(), TIOCGPTN, &number) != 0)
        throw Error(VZ_SYSTEM_ERROR, "The container has no console (its init closed it, or it "
                                     "was started by a vzkit without consoles)");
    // The pidfd pins the process: still the container's init now.
    if (!pidfd_alive(init.pidfd.get()))
        throw Error(VZ_VE_NOT_RUNNING, "Container is not running");
    return master;
}

} // namespace vz
