#include "vzkit/ct_enter.h"

#include "vzkit/cgroup.h"
#include "vzkit/ct_state.h"
#include "vzkit/error.h"
#include "vzkit/fd.h"
#include "vzkit/hooks.h"
#include "vzkit/process.h"
#include "vzkit/seccomp.h"
#include "vzkit/util.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace vz {
namespace {

// Joined in this order; mnt last because it changes our root and the other
// /proc/<pid>/ns paths were opened before.
constexpr std::array kNamespaces = {
    std::pair{"cgroup", CLONE_NEWCGROUP}, std::pair{"ipc", CLONE_NEWIPC},
    std::pair{"uts", CLONE_NEWUTS},       std::pair{"net", CLONE_NEWNET},
    std::pair{"pid", CLONE_NEWPID},       std::pair{"mnt", CLONE_NEWNS},
};

std::vector<UniqueFd> open_namespaces(pid_t init_pid) {
    std::vector<UniqueFd> fds;
    for (const auto &[name, flag] : kNamespaces) {
        (void)flag;
        std::string path = "/proc/" + std::to_string(init_pid) + "/ns/" + name;
        UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd)
            throw_errno(VZ_ENVCREATE_ERROR, "Unable to open " + path);
        fds.push_back(std::move(fd));
    }
    return fds;
}

// The init's own root: after setns(mnt) we stand at the namespace's root
// mount, which is the container's root only if nothing above it was chrooted.
UniqueFd open_root(pid_t init_pid) {
    std::string path = "/proc/" + std::to_string(init_pid) + "/root";
    UniqueFd fd(open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!fd)
        throw_errno(VZ_ENVCREATE_ERROR, "Unable to open " + path);
    return fd;
}

[[noreturn]] void join_and_run(Ctid ctid, std::vector<UniqueFd> &ns, UniqueFd &root, CapMask caps,
                               const std::function<int()> &body, const std::vector<int> &keep) {
    // Not dumpable: the container's root cannot ptrace us or open our
    // /proc/<pid>/exe while we still hold host state.
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    try {
        Cgroup(ctid).attach(getpid());
    } catch (const Error &e) {
        std::fprintf(stderr, "%s\n", e.what());
        _exit(VZ_ENVCREATE_ERROR);
    }
    for (size_t i = 0; i < ns.size(); ++i) {
        if (setns(ns[i].get(), kNamespaces[i].second) != 0) {
            std::fprintf(stderr, "Unable to join the %s namespace of CT %u: %s\n",
                         kNamespaces[i].first, ctid, std::strerror(errno));
            _exit(VZ_ENVCREATE_ERROR);
        }
    }
    ns.clear();
    if (fchdir(root.get()) != 0 || chroot(".") != 0) {
        std::fprintf(stderr, "Unable to enter the root of CT %u: %s\n", ctid, std::strerror(errno));
        _exit(VZ_ENVCREATE_ERROR);
    }
    root.reset();
    // No host fd but the ones handed over may reach the container.
    close_fds_except(keep);
    // setns(pid) applies to children only: the worker is forked below.
    pid_t worker = fork();
    if (worker < 0)
        _exit(VZ_RESOURCE_ERROR);
    if (worker == 0) {
        if (chdir("/") != 0)
            _exit(VZ_ENVCREATE_ERROR);
        try {
            restrict_capabilities(caps);
            apply_container_seccomp();
        } catch (const Error &e) {
            std::fprintf(stderr, "%s\n", e.what());
            _exit(e.code());
        }
        _exit(body());
    }
    _exit(wait_exit_code(worker));
}

} // namespace

std::vector<std::string> default_exec_env() {
    return {"HOME=/", "TERM=linux", "PATH=" + std::string(kScriptPath)};
}

CapMask ct_capabilities(const VeConfig &config) {
    return apply_capability_setting(default_capability_mask(), config.get_or("CAPABILITY", ""));
}

pid_t spawn_in_ct(Ctid ctid, pid_t init_pid, CapMask caps, const std::function<int()> &body,
                  const std::vector<int> &fds_to_keep) {
    auto ns = open_namespaces(init_pid);
    auto root = open_root(init_pid);
    pid_t pid = fork();
    if (pid < 0)
        throw_errno(VZ_RESOURCE_ERROR, "Unable to fork");
    if (pid == 0)
        join_and_run(ctid, ns, root, caps, body, fds_to_keep);
    return pid;
}

} // namespace vz
