// The container side of start. Runs as pid 1 of the new pid namespace, in new
// UTS, IPC and network namespaces; it makes its cgroup namespace (after
// joining its cgroup) and its mount namespace (from the template, ct/mntns.h,
// or the clone's copy of the host's) itself.
// Everything after the chroot (or pivot_root) happens inside the container's
// own tree, so a symlink planted in the private area can only ever point into
// it. Nothing of the container runs while this image is pid 1: vzctl runs the
// start scripts only after vzkit-exec has replaced it and dropped to the
// container's privileges (docs/security.md).
#include "ct/init.h"

#include "ct/mntns.h"

#include "vzkit/base/error.h"
#include "vzkit/base/fd.h"
#include "vzkit/base/process.h"
#include "vzkit/base/util.h"
#include "vzkit/ct/enter.h"
#include "vzkit/ct/helper.h"
#include "vzkit/ct/hooks.h"
#include "vzkit/ct/views.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <string>

namespace vz::detail {
namespace {

[[noreturn]] void report_and_exit(const InitSetup &setup, int code, const std::string &message) {
    std::string line = "E" + std::to_string(code) + " " + message;
    (void)!write(setup.status_fd, line.data(), line.size());
    _exit(code);
}

struct SetupError {
    int code;
    std::string message;
};

[[noreturn]] void fail(int code, const std::string &what) {
    throw SetupError{code, what + ": " + std::strerror(errno)};
}

void must_mount(const char *source, const char *target, const char *type, unsigned long flags,
                const char *data = nullptr) {
    if (mount(source, target, type, flags, data) != 0)
        fail(VZ_ENVCREATE_ERROR, std::string("Unable to mount ") + target);
}

void ensure_dir(const char *path, mode_t mode) {
    if (mkdir(path, mode) != 0 && errno != EEXIST)
        fail(VZ_ENVCREATE_ERROR, std::string("Unable to create ") + path);
}

// Binds path onto itself read-only (a path the kernel does not have is skipped).
void bind_read_only(const char *path) {
    if (access(path, F_OK) != 0)
        return;
    must_mount(path, path, nullptr, MS_BIND | MS_REC);
    must_mount(nullptr, path, nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV);
}

void wait_byte(int fd, char expected) {
    char c = 0;
    ssize_t n;
    do {
        n = read(fd, &c, 1);
    } while (n < 0 && errno == EINTR);
    if (n != 1 || c != expected)
        _exit(VZ_ENVCREATE_ERROR); // the parent gave up; it cleans up
}

// pivot_root into new_root, a mount point of a private namespace, and detach
// what was the root, leaving only the container's tree.
void pivot_to(const char *new_root) {
    UniqueFd old_root(open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC));
    UniqueFd new_fd(open(new_root, O_DIRECTORY | O_RDONLY | O_CLOEXEC));
    if (!old_root || !new_fd || fchdir(new_fd.get()) != 0)
        fail(VZ_ENVCREATE_ERROR, std::string("Unable to open ") + new_root);
    // pivot_root(".", ".") stacks the old root on top of the new one; detaching
    // it then leaves only the container's tree, with no put_old directory.
    if (syscall(SYS_pivot_root, ".", ".") != 0)
        fail(VZ_ENVCREATE_ERROR, std::string("Unable to pivot_root into ") + new_root);
    if (fchdir(old_root.get()) != 0)
        fail(VZ_ENVCREATE_ERROR, "fchdir");
    must_mount(nullptr, ".", nullptr, MS_SLAVE | MS_REC);
    if (umount2(".", MNT_DETACH) != 0)
        fail(VZ_ENVCREATE_ERROR, "Unable to detach the old root");
    if (chdir("/") != 0)
        fail(VZ_ENVCREATE_ERROR, "chdir /");
}

// Without the template (ct/mntns.h): the clone copied the host's whole
// namespace, every running container's root included.
void pivot_from_host_copy(const std::string &root) {
    // Nothing we mount may propagate back to the host.
    must_mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE);
    must_mount(root.c_str(), root.c_str(), nullptr, MS_BIND | MS_REC);
    pivot_to(root.c_str());
}

// VE_ROOT and what is mounted below it, as a detached copy (what MS_BIND |
// MS_REC gives), taken while this process still sees the host's namespace.
// VE_ROOT is the host's path, mounted by the layout before the clone.
UniqueFd take_root(const std::string &root) {
    UniqueFd tree(
        open_tree(AT_FDCWD, root.c_str(), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE));
    if (!tree)
        fail(VZ_ENVCREATE_ERROR, "Unable to take the tree of " + root);
    return tree;
}

// Into a new namespace copied from the template (one tmpfs: the copy does not
// grow with the running containers), the root tree stacked on the tmpfs's
// root, then chroot into it. pivot_root would also detach the tmpfs, but the
// kernel pays for it by visiting every task of the host (chroot_fs_refs):
// 4 ms at 5000 running containers (docs/benchmarks.md, "Issue 15, density").
// What a chroot leaves below the container's tree is the template's
// read-only tmpfs, which holds one empty directory and nothing of the host's
// or of another container's (docs/security.md). Every mount is private, as before: the host's later
// mounts below VE_ROOT do not reach the container, and nothing the container
// mounts reaches the host or the template.
void chroot_from_template(const InitSetup &setup, UniqueFd tree) {
    if (setns(setup.template_ns, CLONE_NEWNS) != 0)
        fail(VZ_ENVCREATE_ERROR, "Unable to enter the template mount namespace");
    close(setup.template_ns);
    if (unshare(CLONE_NEWNS) != 0)
        fail(VZ_ENVCREATE_ERROR, "Unable to create a mount namespace");
    must_mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE);
    // Stacked on the namespace's root: what setns() lands on (the kernel walks
    // down the mounts on it), so whoever enters finds the container's tree.
    if (move_mount(tree.get(), "", AT_FDCWD, "/", MOVE_MOUNT_F_EMPTY_PATH) != 0)
        fail(VZ_ENVCREATE_ERROR, "Unable to move the container's tree into its namespace");
    if (fchdir(tree.get()) != 0)
        fail(VZ_ENVCREATE_ERROR, "fchdir");
    // A shared mount below VE_ROOT on the host stays a peer of it when cloned.
    must_mount(nullptr, ".", nullptr, MS_REC | MS_PRIVATE);
    if (chroot(".") != 0 || chdir("/") != 0)
        fail(VZ_ENVCREATE_ERROR, "Unable to chroot into the container's tree");
}

void mount_proc() {
    ensure_dir("/proc", 0555);
    must_mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC);
    // Kernel-wide knobs stay read-only (core_pattern would run a program on
    // the host); the container's own network namespace stays writable.
    bind_read_only("/proc/sys");
    if (access("/proc/sys/net", F_OK) == 0) {
        must_mount("/proc/sys/net", "/proc/sys/net", nullptr, MS_BIND | MS_REC);
        must_mount(nullptr, "/proc/sys/net", nullptr, MS_BIND | MS_REMOUNT | MS_NOSUID | MS_NODEV);
    }
    for (const char *path : {"/proc/sysrq-trigger", "/proc/irq", "/proc/bus", "/proc/fs"})
        bind_read_only(path);
}

void mount_cgroups(const InitSetup &setup) {
    if (access("/sys/fs/cgroup", F_OK) != 0)
        return;
    // Read-only: the container's own group is the root of its view, and its
    // limit files must not be writable from inside.
    if (setup.cgroup_mode == CgroupMode::V2) {
        must_mount("cgroup2", "/sys/fs/cgroup", "cgroup2",
                   MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY);
        return;
    }
    must_mount("tmpfs", "/sys/fs/cgroup", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755");
    for (const auto &options : setup.cgroup_v1_options) {
        std::string dir = options.starts_with("name=") ? options.substr(5) : options;
        std::string path = "/sys/fs/cgroup/" + dir;
        ensure_dir(path.c_str(), 0755);
        must_mount("cgroup", path.c_str(), "cgroup", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY,
                   options.c_str());
    }
    if (setup.cgroup_unified) {
        ensure_dir("/sys/fs/cgroup/unified", 0755);
        must_mount("cgroup2", "/sys/fs/cgroup/unified", "cgroup2",
                   MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY);
    }
    must_mount(nullptr, "/sys/fs/cgroup", nullptr,
               MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755");
}

void mount_sys(const InitSetup &setup) {
    ensure_dir("/sys", 0555);
    must_mount("sysfs", "/sys", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
    mount_cgroups(setup);
}

struct Node {
    const char *name;
    unsigned major, minor;
};
constexpr std::array kNodes = {
    Node{"null", 1, 3},   Node{"zero", 1, 5},    Node{"full", 1, 7},
    Node{"random", 1, 8}, Node{"urandom", 1, 9}, Node{"tty", 5, 0},
};

void make_node(const std::string &path, mode_t mode, dev_t dev) {
    if (mknod(path.c_str(), mode, dev) != 0 && errno != EEXIST)
        fail(VZ_ENVCREATE_ERROR, "Unable to create " + path);
    chmod(path.c_str(), mode & 07777);
}

void make_devnode(const DevNode &node) {
    std::string path = "/dev/" + node.name;
    // Nested names such as net/tun need their directory.
    for (size_t pos = path.find('/', 5); pos != std::string::npos; pos = path.find('/', pos + 1))
        ensure_dir(path.substr(0, pos).c_str(), 0755);
    make_node(
        path, node.mode,
        makedev(static_cast<unsigned>(node.rule.major), static_cast<unsigned>(node.rule.minor)));
}

void populate_dev(const InitSetup &setup) {
    ensure_dir("/dev", 0755);
    must_mount("tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=755,size=65536k");
    const mode_t old_umask = umask(0);
    for (const auto &node : kNodes)
        make_node(std::string("/dev/") + node.name, S_IFCHR | 0666,
                  makedev(node.major, node.minor));
    for (const auto &node : setup.devnodes)
        make_devnode(node);
    ensure_dir("/dev/pts", 0755);
    // A private devpts instance: the container sees only its own ptys.
    must_mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
               "newinstance,ptmxmode=0666,mode=0620,gid=5");
    ensure_dir("/dev/shm", 01777);
    must_mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
    ensure_dir("/dev/mqueue", 0755);
    mount("mqueue", "/dev/mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr);
    umask(old_umask);
    for (const auto &[link, target] :
         {std::pair{"/dev/ptmx", "pts/ptmx"}, std::pair{"/dev/fd", "/proc/self/fd"},
          std::pair{"/dev/stdin", "/proc/self/fd/0"}, std::pair{"/dev/stdout", "/proc/self/fd/1"},
          std::pair{"/dev/stderr", "/proc/self/fd/2"}}) {
        if (symlink(target, link) != 0 && errno != EEXIST)
            fail(VZ_ENVCREATE_ERROR, std::string("Unable to create ") + link);
    }
}

// What /proc and /sys show of the host beyond the container's own business:
// kernel-wide state, other users' keys, physical memory and firmware. Files
// get /dev/null bound over them, directories an empty read-only tmpfs (the
// OCI runtimes' and LXC's lists). A path the kernel does not have is skipped.
struct Mask {
    const char *path;
    bool directory;
};
constexpr std::array kMasks = {
    Mask{"/proc/keys", false},        Mask{"/proc/key-users", false},
    Mask{"/proc/timer_list", false},  Mask{"/proc/timer_stats", false},
    Mask{"/proc/sched_debug", false}, Mask{"/proc/latency_stats", false},
    Mask{"/proc/kcore", false},       Mask{"/proc/kmsg", false},
    Mask{"/proc/kpagecount", false},  Mask{"/proc/kpageflags", false},
    Mask{"/proc/kpagecgroup", false}, Mask{"/proc/acpi", true},
    Mask{"/proc/scsi", true},         Mask{"/proc/asound", true},
    Mask{"/sys/firmware", true},      Mask{"/sys/devices/virtual/powercap", true},
};

void mask_host_state() {
    for (const auto &mask : kMasks) {
        struct stat st {};
        if (lstat(mask.path, &st) != 0)
            continue;
        if (mask.directory && S_ISDIR(st.st_mode))
            must_mount("tmpfs", mask.path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                       "mode=555");
        else if (!mask.directory)
            must_mount("/dev/null", mask.path, nullptr, MS_BIND);
    }
}

// --wait, OpenVZ's way: an inittab line that writes /.vzfifo once init has run
// its boot scripts. Done after pivot_root, so the container's own symlinks can
// only lead into its own tree. Busybox inittab has no runlevels; sysvinit's has.
void add_runlevel_mark() {
    unlink("/.vzfifo");
    if (mkfifo("/.vzfifo", 0600) != 0)
        fail(VZ_WAIT_FAILED, "Unable to create /.vzfifo");
    // The container owns /etc/inittab: a symlink to /proc/self/environ (this
    // process is still vzctl's image) must not copy the host's environment
    // into it. Only a regular file is read.
    std::string text;
    UniqueFd fd(open("/etc/inittab", O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    struct stat st {};
    if (!fd || fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
        throw SetupError{VZ_WAIT_FAILED, "--wait needs an init that reads /etc/inittab (busybox "
                                         "or sysvinit) as a regular file"};
    char buf[4096];
    ssize_t n;
    while ((n = read(fd.get(), buf, sizeof buf)) > 0)
        text.append(buf, static_cast<size_t>(n));
    if (text.find("/.vzfifo") != std::string::npos)
        return;
    const bool busybox = text.starts_with("::") || text.find("\n::") != std::string::npos;
    if (!text.empty() && text.back() != '\n')
        text += '\n';
    text += busybox ? "::once:/bin/sh -c 'echo > /.vzfifo'\n"
                    : "vz:2345:once:/bin/sh -c 'echo > /.vzfifo'\n";
    try {
        write_file_atomic("/etc/inittab", text);
    } catch (const Error &e) {
        throw SetupError{VZ_WAIT_FAILED, e.what()};
    }
}

void stdio_to_null() {
    int fd = open("/dev/null", O_RDWR);
    if (fd < 0)
        fail(VZ_ENVCREATE_ERROR, "Unable to open /dev/null");
    for (int target : {STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO})
        dup2(fd, target);
    if (fd > STDERR_FILENO)
        close(fd);
}

// The container's console (vzctl console): a pty of its own devpts, the
// slave bound over /dev/console, the master left open in init at kConsoleFd
// (it survives the exec of vzkit-exec and of init). Init's stdout and stderr
// are the slave opened non-blocking: once the pty's buffers (about 68 KB)
// are full and nobody is attached, init and what inherits its output lose
// their writes (EAGAIN) instead of waiting; stdin stays /dev/null, so that an
// init that makes its stdin the controlling terminal of its boot script
// (busybox's sysinit) does not get the script's background jobs hung up when
// it exits. A getty opens /dev/console itself. Everything here is in the
// fresh /dev and devpts just mounted, before anything of the container
// runs. Without a pty the console is /dev/null, as before.
void console_to_pty() {
    stdio_to_null();
    UniqueFd master(open("/dev/pts/ptmx", O_RDWR | O_NOCTTY));
    int unlock = 0, number = -1;
    if (!master || ioctl(master.get(), TIOCSPTLCK, &unlock) != 0 ||
        ioctl(master.get(), TIOCGPTN, &number) != 0 || !set_console_unattended(master.get()))
        return;
    UniqueFd slave(
        static_cast<int>(ioctl(master.get(), TIOCGPTPEER, O_RDWR | O_NOCTTY | O_NONBLOCK)));
    const std::string slave_path = "/dev/pts/" + std::to_string(number);
    UniqueFd console(
        open("/dev/console", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!slave || !console ||
        mount(slave_path.c_str(), "/dev/console", nullptr, MS_BIND, nullptr) != 0)
        return;
    for (int target : {STDOUT_FILENO, STDERR_FILENO})
        dup2(slave.get(), target);
    if (dup2(master.get(), kConsoleFd) != kConsoleFd)
        fail(VZ_ENVCREATE_ERROR, "Unable to keep the console");
}

// lxcfs's files, taken from the host's tree before pivot_root leaves it: one
// detached bind mount each, with where it goes in the container.
std::vector<std::pair<UniqueFd, std::string>> take_lxcfs(const InitSetup &setup) {
    std::vector<std::pair<UniqueFd, std::string>> out;
    const auto take = [&](const std::string &file, std::string_view target) {
        const auto source = (kLxcfsDir / file).string();
        UniqueFd tree(open_tree(AT_FDCWD, source.c_str(), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC));
        if (!tree)
            fail(VZ_ENVCREATE_ERROR, "Unable to bind " + source);
        out.emplace_back(std::move(tree), "/" + std::string(target));
    };
    for (const auto &file : setup.lxcfs) {
        take(file, file);
        for (const auto &alias : kLxcfsAliases)
            if (alias.file == file)
                take(file, alias.target);
    }
    return out;
}

// Over the container's own /proc and /sys entries, as LXC's lxcfs hook does.
void bind_lxcfs(const std::vector<std::pair<UniqueFd, std::string>> &files) {
    for (const auto &[tree, target] : files)
        if (access(target.c_str(), F_OK) == 0 &&
            move_mount(tree.get(), "", AT_FDCWD, target.c_str(), MOVE_MOUNT_F_EMPTY_PATH) != 0)
            fail(VZ_ENVCREATE_ERROR, "Unable to bind lxcfs's file over " + target);
}

void set_up(const InitSetup &setup) {
    if (unshare(CLONE_NEWCGROUP) != 0)
        fail(VZ_ENVCREATE_ERROR, "Unable to create a cgroup namespace");
    const auto lxcfs = take_lxcfs(setup);
    if (setup.template_ns >= 0)
        chroot_from_template(setup, take_root(setup.root));
    else
        pivot_from_host_copy(setup.root);
    mount_proc();
    mount_sys(setup);
    bind_lxcfs(lxcfs);
    populate_dev(setup);
    mask_host_state();
    if (!setup.hostname.empty() && sethostname(setup.hostname.data(), setup.hostname.size()) != 0)
        fail(VZ_BADHOSTNAME, "Unable to set hostname " + setup.hostname);
    if (setup.wait)
        add_runlevel_mark();
    // No controlling terminal of the host's, and init is a session leader.
    setsid();
}

// vzkit-exec from its sealed copy: it takes the container's privileges before
// anything of the container runs, then starts init or the script shell.
[[noreturn]] void exec_helper(const InitSetup &setup) {
    const std::vector<std::string> env = {"HOME=/", "TERM=linux",
                                          "PATH=" + std::string(kScriptPath)};
    std::vector<std::string> argv = {"vzkit-exec", "init"};
    for (auto &arg : ct_helper_privilege_args(setup.filter_fd, setup.caps))
        argv.push_back(std::move(arg));
    argv.insert(argv.end(),
                {"--go", std::to_string(setup.go_fd), "--status", std::to_string(setup.status_fd)});
    if (setup.script) {
        const char *shell = access("/bin/bash", X_OK) == 0 ? "/bin/bash" : "/bin/sh";
        argv.insert(argv.end(), {"--fail-code", std::to_string(VZ_NOSCRIPT), "--", shell});
    } else {
        argv.insert(argv.end(), {"--argv0", "init", "--fail-code", std::to_string(VZ_FS_BAD_TMPL),
                                 "--", "/sbin/init", "/etc/init", "/bin/init"});
    }
    exec_ct_helper(argv, env, {setup.filter_fd, setup.go_fd, setup.status_fd});
    report_and_exit(setup, VZ_ENVCREATE_ERROR,
                    std::string("Unable to execute vzkit-exec: ") + std::strerror(errno));
}

} // namespace

void container_init(const InitSetup &setup) {
    // Only the pipes to the parent and the helper may follow us into the
    // container.
    close_fds_except({setup.go_fd, setup.status_fd, setup.script_stdin, setup.script_stdout,
                      setup.script_stderr, setup.filter_fd, setup.template_ns, ct_helper_fd()});
    // Moving itself is cheaper than being moved (Cgroup::attach_self); the
    // parent registers the container once it is in its group.
    try {
        if (setup.join)
            setup.join->attach_self();
    } catch (const Error &e) {
        report_and_exit(setup, e.code(), e.what());
    }
    if (write(setup.status_fd, "C", 1) != 1)
        _exit(VZ_ENVCREATE_ERROR);
    wait_byte(setup.go_fd, 'A');
    try {
        set_up(setup);
        if (setup.script) {
            dup2(setup.script_stdin, STDIN_FILENO);
            dup2(setup.script_stdout, STDOUT_FILENO);
            dup2(setup.script_stderr, STDERR_FILENO);
        } else {
            console_to_pty();
        }
    } catch (const SetupError &e) {
        report_and_exit(setup, e.code, e.message);
    }
    exec_helper(setup);
}

} // namespace vz::detail
