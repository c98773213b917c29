// Which container a process belongs to, as the host sees it.
//
// A process is inside container N when its pid namespace is the namespace of
// N's init, or a namespace nested below it (a container running its own
// containers). That is what makes it N's: it cannot leave that namespace, it
// sees only N's processes, and its pid inside N comes from NSpid. Host
// processes — including vzctl's own helpers while they join a container, and
// processes of foreign pid namespaces such as other container managers' — get
// CTID 0, OpenVZ's id of the host.
//
// The resolver finds the running containers once per refresh; classifying a
// process then costs one readlink of its ns/pid (none when its NSpid already
// shows it is in the host's namespace).
#pragma once

#include "vzkit/base/ct_config.h"

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

namespace vz {

struct RunningCt {
    Ctid ctid = 0;
    pid_t init_pid = 0;      // host pid of the container's init
    std::uint64_t pidns = 0; // inode of its pid namespace
    unsigned level = 1;      // NSpid entries of its init minus one: where the CT pid sits
};

class CtResolver {
  public:
    virtual ~CtResolver() = default;
    CtResolver() = default;
    CtResolver(const CtResolver &) = delete;
    CtResolver &operator=(const CtResolver &) = delete;

    // Looks up the running containers anew; called once per table refresh.
    virtual void refresh() = 0;
    // Running containers after the last refresh, ascending by CTID.
    virtual const std::vector<RunningCt> &running() const = 0;
    // The container of the process whose /proc directory pid_dir is (an fd
    // from openat on the /proc fd), 0 for the host. nspid_entries is the
    // length of its NSpid when the caller already read it, 0 when unknown.
    // nullopt when the process vanished meanwhile.
    virtual std::optional<Ctid> ctid_of(int pid_dir, std::size_t nspid_entries) = 0;

    const RunningCt *find(Ctid ctid) const;
};

// Throws Error(VZ_VE_NOT_RUNNING, "Container N is not running") for the first
// of ctids (0, the host, aside) that is not running: the tools' -E check.
void require_running(const CtResolver &cts, std::span<const Ctid> ctids);

// The resolver for this host. Today it works from the cgroups vz/<CTID> (each
// container's init is found among its group's processes) and pid namespaces;
// the kernel module, once loaded, is meant to answer the same questions
// directly, behind this same interface. proc_fd is an fd on /proc.
std::unique_ptr<CtResolver> make_ct_resolver(int proc_fd);

} // namespace vz
