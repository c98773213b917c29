// The container side of start: what the cloned child does between clone()
// and exec of the container's init. Private to the core library.
#pragma once

#include "vzkit/ct/capability.h"
#include "vzkit/cgroup/cgroup.h"

#include <string>
#include <vector>

namespace vz::detail {

struct InitSetup {
    std::string root;     // VE_ROOT, absolute
    std::string hostname; // empty: keep the UTS default
    CapMask caps = 0;     // what vzkit-exec keeps
    int filter_fd = -1;   // pipe holding the system-call filter for vzkit-exec
    int template_ns = -1; // the template mount namespace (ct/mntns.h); -1: the
                          // clone copies the host's namespace instead
    std::vector<DevNode> devnodes; // DEVNODES to create in /dev
    CgroupMode cgroup_mode = CgroupMode::V1;
    const Cgroup *join = nullptr; // the child moves itself into this group first
                                  // (null: clone3 placed it there already)
    std::vector<std::string>
        cgroup_v1_options;  // per v1 hierarchy: "memory", "cpu,cpuacct", "name=systemd"
    bool cgroup_unified = false; // v1 host, nesting: also mount cgroup2 at unified/
    bool wait = false;      // create /.vzfifo for --wait
    bool script = false;    // runscript: pid 1 is the shell reading the script on stdin
    int script_stdin = -1;  // read end of the script pipe
    int script_stdout = -1; // the script's output goes back to vzctl
    int script_stderr = -1; //   through pipes, never a host fd
    std::vector<std::string> lxcfs; // without the module: lxcfs's files to bind
                                    // over /proc and /sys (vzkit/ct/views.h)
    int go_fd = -1;         // parent → child: 'A' registered, 'G' go on
    int status_fd = -1;     // child → parent: 'C' in the container's group, 'S'
                            // (written by vzkit-exec once it holds only the
                            // container's privileges), or "E<code> <message>"
};

// Never returns: sets the container up, then execs vzkit-exec, which takes the
// container's privileges, reports 'S', waits for 'G' and execs init (or the
// script shell); or _exits after reporting the error on status_fd.
[[noreturn]] void container_init(const InitSetup &setup);

} // namespace vz::detail
