// The sealed copy of vzkit-exec (vzctl/libexec/vzkit-exec.cpp), the only
// program image that vzctl lets become visible inside a container.
#pragma once

#include "vzkit/ct/capability.h"
#include "vzkit/base/fd.h"

#include <string>
#include <vector>

namespace vz {

// Where vzkit-exec is looked up: <dir of this program>/../libexec/vzkit/ (the
// build tree and the installed layout alike), then the configured libexec dir.
std::string ct_helper_path();

// A memfd holding a copy of vzkit-exec, sealed against writes, shrinking and
// growing, created once per process. /proc/PID/exe of a process running it
// leads to that copy: nothing a container can write, and never the host's
// binaries (the pattern of runc's CVE-2019-5736). Throws
// Error(VZ_ENVCREATE_ERROR) when the helper is missing.
int ct_helper_fd();

// Arguments every mode of vzkit-exec takes: the filter to load (an fd of a
// pipe holding the BPF program) and the capability mask to keep.
std::vector<std::string> ct_helper_privilege_args(int seccomp_fd, CapMask caps);

// A pipe whose read end holds the container's filter program, ready to be
// inherited by vzkit-exec (not close-on-exec). Throws Error(VZ_ENVCREATE_ERROR).
UniqueFd ct_filter_pipe(bool nesting);

// In a child about to enter the container: execs vzkit-exec with argv and
// envp, keeping the fds in keep open across the exec. Returns only on failure
// (errno set).
void exec_ct_helper(const std::vector<std::string> &argv, const std::vector<std::string> &envp,
                    const std::vector<int> &keep);

} // namespace vz
