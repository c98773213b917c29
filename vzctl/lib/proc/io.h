// Private to the process tools' library files: reading /proc entries relative
// to directory fds into buffers the caller reuses, so that a refresh over tens
// of thousands of processes neither walks paths from / nor allocates per file.
#pragma once

#include "vzkit/base/fd.h"

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

namespace vz::procio {

// The whole of name (relative to dir) into buf. false when it cannot be opened
// or read, with errno set (ENOENT/ESRCH: the process is gone).
bool read_at(int dir, const char *name, std::string &buf);
// Same for files the kernel generates in one piece (single_open seq files:
// stat, status, cgroup): a read that does not fill the buffer got everything,
// which saves the read that would only see the end of the file.
bool read_whole_at(int dir, const char *name, std::string &buf);
// The target of the symlink name (relative to dir) into buf; false with errno.
bool readlink_at(int dir, const char *name, std::string &buf);
// The inode of the namespace behind dir/ns/<type>, or nullopt with errno set.
std::optional<std::uint64_t> ns_inode_at(int dir, const char *type, std::string &buf);
// O_PATH fd on /proc/<pid> below proc_fd; invalid (errno set) when there is none.
UniqueFd open_pid_dir(int proc_fd, pid_t pid);
// Whether errno says the process went away while we looked at it.
bool process_gone(int err);

} // namespace vz::procio
