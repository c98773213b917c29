// vzkit-exec (vzctl/libexec/vzkit-exec.cpp) as vzctl executes it: the only
// program image that vzctl lets become visible inside a container, opened so
// that nothing can write it.
#pragma once

#include "vzkit/base/fd.h"
#include "vzkit/ct/capability.h"

#include <span>
#include <string>
#include <vector>

namespace vz {

// Where vzkit-exec is looked up: <dir of this program>/../libexec/vzkit/ (the
// build tree and the installed layout alike), then the configured libexec dir.
std::string ct_helper_path();

enum class HelperImage {
    // An O_PATH fd of the helper on an internal, read-only overlayfs mount
    // with no upper layer; a sealed copy where the kernel cannot mount one.
    ReadOnlyView,
    // A memfd holding a copy, sealed against writes, shrinking and growing.
    SealedCopy,
};

// vzkit-exec opened as image says. /proc/PID/exe of a process running it
// leads to that view or copy: nothing a container can write, and never a
// host mount a path leads to (the pattern of runc's CVE-2019-5736). Throws
// Error(VZ_ENVCREATE_ERROR) when the helper is missing.
UniqueFd open_ct_helper(HelperImage image);

// open_ct_helper(ReadOnlyView), once per process.
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
// The same from arrays made beforehand, making system calls only (a child
// that shares vzctl's memory, ct/enter.cpp); -1 in keep is skipped.
void exec_ct_helper(char *const argv[], char *const envp[], std::span<const int> keep);

} // namespace vz
