// The host side of start: checks, file system, cgroup, clone() of the
// container's init with its namespaces, the start scripts, and undoing all of
// it when any step fails.
#include "vzkit/ct/start.h"

#include "ct/init.h"
#include "ct/mntns.h"
#include "vzkit/backend/backend.h"
#include "vzkit/base/error.h"
#include "vzkit/base/log.h"
#include "vzkit/base/process.h"
#include "vzkit/base/step.h"
#include "vzkit/base/util.h"
#include "vzkit/cgroup/cgroup.h"
#include "vzkit/ct/capability.h"
#include "vzkit/ct/enter.h"
#include "vzkit/ct/features.h"
#include "vzkit/ct/fs.h"
#include "vzkit/ct/helper.h"
#include "vzkit/ct/state.h"
#include "vzkit/ct/views.h"
#include "vzkit/dist/actions.h"
#include "vzkit/net/lifecycle.h"
#include "vzkit/storage/lvm.h"

#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory>
#include <thread>

namespace vz {
namespace {

// From the clone to 'S' pid 1 joins its groups and mounts its file systems
// while vzctl writes the limits and makes the network: two CPUs' worth of
// work. The kernel often places a new task on its parent's CPU and leaves it
// there, and the two then take turns on one CPU while the others idle. Pid 1
// is kept off vzctl's CPU for that stretch (docs/benchmarks.md, "Issue 15,
// start: two CPUs, the veth's queues, the loopback"). Narrowing is a hint
// whose failure changes nothing; giving the CPUs back, before anything of the
// container runs, is not. The affinity given back is the one pid 1 had from
// the clone: the kernel bounds it by the cpuset pid 1 joined since.
class OffParentCpu {
  public:
    explicit OffParentCpu(pid_t child) : child_(child) {
        const int self = sched_getcpu();
        if (self < 0 || sched_getaffinity(child_, sizeof original_, &original_) != 0 ||
            CPU_COUNT(&original_) < 2 || !CPU_ISSET(self, &original_))
            return;
        others_ = original_;
        CPU_CLR(self, &others_);
        narrowed_ = sched_setaffinity(child_, sizeof others_, &others_) == 0;
    }
    ~OffParentCpu() {
        if (narrowed_) // unwinding: pid 1 is about to be killed
            (void)sched_setaffinity(child_, sizeof original_, &original_);
    }
    OffParentCpu(const OffParentCpu &) = delete;
    OffParentCpu &operator=(const OffParentCpu &) = delete;

    // Joining a v1 cpuset gave pid 1 the group's CPUs: narrowed again.
    void renew() {
        if (narrowed_)
            (void)sched_setaffinity(child_, sizeof others_, &others_);
    }

    // Before 'G': the container must not run with fewer CPUs than it has.
    void restore() {
        if (!narrowed_)
            return;
        narrowed_ = false;
        if (sched_setaffinity(child_, sizeof original_, &original_) != 0)
            throw_errno(VZ_ENVCREATE_ERROR, "Unable to give the container's init its CPUs back");
    }

  private:
    pid_t child_;
    cpu_set_t original_{};
    cpu_set_t others_{};
    bool narrowed_ = false;
};

// v1 hierarchies as mount options ("cpu", "memory", "name=systemd"), so the
// container's /sys/fs/cgroup mirrors the host's layout. From the layout the
// group's handle already read: mountinfo has a line per running container.
std::vector<std::string> v1_hierarchy_options(const CgroupLayout &layout) {
    static const std::vector<std::string> kKnown = {
        "cpu",  "cpuacct", "cpuset",   "memory",     "devices", "freezer", "blkio",
        "pids", "net_cls", "net_prio", "perf_event", "hugetlb", "rdma",    "misc"};
    std::vector<std::string> result;
    for (const auto &hierarchy : layout.hierarchies()) {
        std::vector<std::string> picked;
        for (const auto &controller : hierarchy.controllers) {
            if (controller.starts_with("name=") ||
                std::ranges::find(kKnown, controller) != kKnown.end())
                picked.push_back(controller);
        }
        if (!picked.empty() && std::ranges::find(result, join(picked, ",")) == result.end())
            result.push_back(join(picked, ","));
    }
    return result;
}

// Everything start set up, undone in reverse unless committed.
class StartRollback {
  public:
    explicit StartRollback(const CtConfig &config) : config_(config) {}
    StartRollback(const StartRollback &) = delete;
    StartRollback &operator=(const StartRollback &) = delete;
    ~StartRollback() {
        if (committed_)
            return;
        // pid 1 first: until it is reaped it may still be joining its groups
        // (v1), which would keep them busy after they were found empty. Its
        // pid namespace dies with it; kill_all catches anything else.
        if (child_ > 0) {
            kill(child_, SIGKILL);
            waitpid(child_, nullptr, 0);
        }
        // Each step on its own: a group that cannot go must not leave the
        // root mounted too.
        constexpr std::string_view kContext = "Cleanup after a failed start";
        if (cgroup_)
            warn_on_error(kContext, [this] {
                cgroup_->kill_all();
                cgroup_->destroy();
            });
        if (registered_)
            warn_on_error(kContext, [this] { backend().detach(config_.ctid()); });
        if (mounted_)
            warn_on_error(kContext, [this] {
                if (is_mounted(config_))
                    umount_ct(config_);
            });
    }
    void mounted() { mounted_ = true; }
    // A copy: the caller's handle is destroyed before this rollback runs.
    void cgroup(const Cgroup &cg) { cgroup_.emplace(cg); }
    void child(pid_t pid) { child_ = pid; }
    void registered() { registered_ = true; }
    void commit() { committed_ = true; }

  private:
    const CtConfig &config_;
    bool mounted_ = false;
    std::optional<Cgroup> cgroup_;
    pid_t child_ = -1;
    bool registered_ = false;
    bool committed_ = false;
};

void check_startable(const CtConfig &config, const StartOptions &options) {
    if (config.get_bool("DISABLED", false) && !options.force)
        throw Error(VZ_VE_START_DISABLED,
                    "Container start disabled (DISABLED=yes); use --force to start it anyway");
    const auto priv = config.ve_private();
    std::error_code ec;
    if (!std::filesystem::is_directory(priv, ec))
        throw Error(VZ_FS_NOPRVT, "Container private area " + priv.string() + " does not exist");
    if (is_running(config.ctid()))
        throw Error(VZ_VE_RUNNING, "Container is already running");
    config.ve_root();
}

// Reads the child's report: 'S' when set up, or "E<code> <message>".
// EOF with nothing read means it exec'ed (the pipe is close-on-exec).
std::optional<char> read_status(int fd, const char *stage) {
    std::string buf(512, '\0');
    ssize_t n;
    do {
        n = read(fd, buf.data(), buf.size());
    } while (n < 0 && errno == EINTR);
    if (n <= 0)
        return std::nullopt;
    buf.resize(static_cast<size_t>(n));
    if (buf[0] == 'E') {
        int code = std::atoi(buf.c_str() + 1);
        auto space = buf.find(' ');
        throw Error(code ? code : VZ_ENVCREATE_ERROR,
                    space == std::string::npos
                        ? std::string("Unable to start the container ") + stage
                        : buf.substr(space + 1));
    }
    return buf[0];
}

int clone_entry(void *arg) {
    detail::container_init(*static_cast<detail::InitSetup *>(arg));
}

// clone3(CLONE_INTO_CGROUP) (Linux 5.7, cgroup v2): the child starts in its
// group, so it neither moves itself nor waits for the grace period a move
// costs there. -1 with errno when the kernel cannot (the caller falls back).
pid_t clone_into_group(detail::InitSetup &setup, int flags, int group_fd) {
    clone_args args{};
    args.flags = static_cast<uint64_t>(flags) | CLONE_INTO_CGROUP;
    args.exit_signal = SIGCHLD;
    args.cgroup = static_cast<uint64_t>(group_fd);
    const long pid = syscall(SYS_clone3, &args, sizeof args);
    if (pid == 0) {
        setup.join = nullptr;
        detail::container_init(setup);
    }
    return static_cast<pid_t>(pid);
}

pid_t clone_container(detail::InitSetup &setup, const Cgroup &cgroup) {
    // From the template the child makes its mount namespace itself.
    const int flags = CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET |
                      (setup.template_ns >= 0 ? 0 : CLONE_NEWNS);
    setup.join = &cgroup;
    if (UniqueFd group = cgroup.open_clone_target()) {
        if (pid_t pid = clone_into_group(setup, flags, group.get()); pid > 0)
            return pid;
        if (errno != ENOSYS && errno != E2BIG && errno != EINVAL && errno != EOPNOTSUPP)
            throw_errno(VZ_ENVCREATE_ERROR, "Unable to create the container's namespaces");
    }
    constexpr size_t kStackSize = 1 << 20;
    // Without CLONE_VM the child gets its own copy of this buffer, so it is
    // freed here only for the parent. Not zeroed: clearing a MiB cost 256
    // page faults of every start, where the child touches a few pages.
    auto stack = std::make_unique_for_overwrite<char[]>(kStackSize);
    pid_t pid = clone(clone_entry, stack.get() + kStackSize, flags | SIGCHLD, &setup);
    if (pid < 0)
        throw_errno(VZ_ENVCREATE_ERROR, "Unable to create the container's namespaces");
    return pid;
}

// Init holds its console's master at kConsoleFd when it got a pty. All
// containers' devpts instances share kernel.pty.max less kernel.pty.reserve
// (3072 by default): past that a container starts without a console.
void warn_without_console(pid_t init) {
    const std::string fd = "/proc/" + std::to_string(init) + "/fd/" + std::to_string(kConsoleFd);
    struct stat st {};
    if (::stat(fd.c_str(), &st) == 0)
        return;
    const auto sysctl = [](const char *name) {
        return std::string(
            trim(read_file(std::string("/proc/sys/kernel/pty/") + name).value_or("?")));
    };
    log_warning("The container has no console (vzctl console): no pty was free; ptys in use " +
                sysctl("nr") + " of kernel.pty.max " + sysctl("max") + " less kernel.pty.reserve " +
                sysctl("reserve") + " (etc/sysctl.d/vzkit.conf)");
}

// --wait: init (via the line start added to its inittab) writes to /.vzfifo
// once it reached its runlevel.
void wait_for_runlevel(pid_t init) {
    auto fifo = "/proc/" + std::to_string(init) + "/root/.vzfifo";
    // The container may have swapped the FIFO for a symlink, which would
    // resolve against the host's root: refuse anything but the FIFO itself.
    UniqueFd fd(open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC));
    struct stat st {};
    if (!fd || fstat(fd.get(), &st) != 0 || !S_ISFIFO(st.st_mode))
        throw_errno(VZ_WAIT_FAILED, "Unable to open " + fifo);
    // O_NONBLOCK open of a FIFO with no writer returns at once; poll reports
    // POLLHUP until a writer comes, so look for data instead.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::hours(1);
    while (std::chrono::steady_clock::now() < deadline) {
        char c;
        ssize_t n = read(fd.get(), &c, 1);
        if (n > 0)
            break;
        if (kill(init, 0) != 0)
            throw Error(VZ_WAIT_FAILED, "Container init exited while waiting for it to start");
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    unlink(fifo.c_str());
}

} // namespace

int start_ct(const CtConfig &config, const StartOptions &options) {
    check_startable(config, options);
    log_info("Starting container...");
    StartRollback rollback(config);

    if (is_mounted(config) && !options.skip_remount)
        umount_ct(config);
    if (!is_mounted(config)) {
        mount_ct(config);
        rollback.mounted();
    }

    const bool nesting = feature_enabled(config, "nesting");
    Cgroup cgroup(config.ctid());
    cgroup.create(nesting);
    rollback.cgroup(cgroup);
    auto devnodes = parse_devnodes(devnodes_with_features(config));
    // Before the clone: pid 1 makes the device nodes under these rules.
    cgroup.set_devices(device_rules_from_config(config, devnodes));
    step("start.cgroup");

    Pipe go = make_pipe(), status = make_pipe();
    std::optional<Pipe> script_in;
    ct_helper_fd(); // opened before the clone: the child cannot look it up after pivot_root
    UniqueFd filter = ct_filter_pipe(nesting);
    UniqueFd template_ns = detail::template_mount_ns(config.lock_dir());
    detail::InitSetup setup;
    setup.filter_fd = filter.get();
    setup.template_ns = template_ns.get();
    setup.root = std::filesystem::absolute(config.ve_root()).string();
    setup.hostname = config.get_or("HOSTNAME", "");
    setup.caps = ct_capabilities(config);
    setup.devnodes = devnodes;
    // lvm with QUOTAUGIDLIMIT: the volume's node for the quota tools, with no
    // device rule (it cannot be opened inside), added after the rules.
    const auto quota_node = lvm_layout::quota_node(config);
    if (quota_node)
        setup.devnodes.push_back(
            {quota_node->name, {'b', quota_node->major, quota_node->minor, ""}, quota_node->mode});
    setup.cgroup_mode = cgroup.mode();
    if (setup.cgroup_mode == CgroupMode::V1) {
        setup.cgroup_v1_options = v1_hierarchy_options(cgroup.layout());
        setup.cgroup_unified = cgroup.unified_path().has_value();
    }
    setup.wait = options.wait;
    setup.lxcfs = fallback_views(&backend() == &kModuleBackend);
    setup.go_fd = go.read.get();
    setup.status_fd = status.write.get();
    Pipe out, err;
    if (options.script) {
        script_in = make_pipe();
        out = make_pipe();
        err = make_pipe();
        setup.script = true;
        setup.script_stdin = script_in->read.get();
        setup.script_stdout = out.write.get();
        setup.script_stderr = err.write.get();
    }

    pid_t init = clone_container(setup, cgroup);
    rollback.child(init);
    OffParentCpu off_parent_cpu(init);
    step("start.cloned");
    log_debug(1, "Container init is pid " + std::to_string(init) + " on the host, in cgroup vz/" +
                     std::to_string(config.ctid()) +
                     (setup.cgroup_mode == CgroupMode::V2 ? " (cgroup v2)" : " (cgroup v1)"));
    go.read.reset();
    status.write.reset();
    filter.reset();
    template_ns.reset();
    if (script_in) {
        script_in->read.reset();
        out.write.reset();
        err.write.reset();
    }
    // The limits, written while pid 1 joins its groups: they bind the
    // container, whose first instruction runs after 'G', not vzctl's own
    // set-up in it (docs/benchmarks.md, issue 15). A group is joined with the
    // cpus and mems it inherits (clone_children).
    cgroup.apply(ct_cgroup_limits(config));
    log_debug(1, "Applied the resource limits of the configuration");
    if (read_status(status.read.get(), "(cgroup)") != 'C')
        throw Error(VZ_ENVCREATE_ERROR, "Container init exited before joining its cgroup");
    off_parent_cpu.renew();
    // The module charges the container from its first instruction on.
    backend().attach(config, init, cgroup);
    rollback.registered();
    if (quota_node && !backend().allow_ugid_quota(config.ctid(), config.ve_root()))
        log_warning("Second-level quota: container root cannot set or list other users' "
                    "quota inside (setquota, repquota -a) without the vzkit module; set them "
                    "from the host (setquota ... " +
                    config.ve_root().string() + ")");
    step("start.attached");
    if (write(go.write.get(), "A", 1) != 1)
        throw_errno(VZ_ENVCREATE_ERROR, "Unable to signal the container");
    // The network, made from the host through netlink while pid 1 mounts
    // its file systems and drops to the container's privileges: its network
    // namespace exists from the clone on, and nothing of the container runs
    // before 'G' (docs/benchmarks.md, issue 15: 1-1.5 ms of every start).
    std::unique_ptr<net::NetworkSetup> network;
    std::optional<dist::StartConfiguration> dist_config;
    if (!options.script) {
        net::sweep_stale_network(config);
        network = net::start_network(config, init);
        net::move_netdevs_in(split_ws(config.get_or("NETDEV", "")), init);
        step("start.network");
        dist_config.emplace(config);
        dist_config->early();
    } else {
        net::loopback_up(init);
    }
    // 'S' comes from vzkit-exec once pid 1 holds only the container's
    // privileges: only then may anything of the container run inside.
    if (read_status(status.read.get(), "(setup)") != 'S')
        throw Error(VZ_ENVCREATE_ERROR, "Container init exited during setup");
    off_parent_cpu.restore();

    // The distribution's files, put in place before init runs: those vzctl
    // writes itself already are (early(), through VE_ROOT, beside the
    // network); scripts run inside, as the container, and <CTID>.start too.
    if (!options.script) {
        warn_without_console(init);
        dist_config->finish(init);
        run_ct_action_script(config, "start");
        step("start.configured");
    }
    if (write(go.write.get(), "G", 1) != 1)
        throw_errno(VZ_ENVCREATE_ERROR, "Unable to signal the container");
    read_status(status.read.get(), "(init)");

    if (options.script) {
        // runscript: the script is the container's pid 1; when it ends the
        // pid namespace goes with it, and the rollback tears the rest down.
        relay_pipes(init, std::move(script_in->write), std::move(out.read), std::move(err.read),
                    *options.script);
        rollback.child(-1);
        return wait_exit_code(init);
    }
    if (options.wait)
        wait_for_runlevel(init);
    step("start.running");
    if (network)
        network->commit();
    rollback.commit();
    log_info("Container start in progress...");
    return 0;
}

} // namespace vz
