// Running Debian's criu binary for chkpnt and restore, and cleaning up what
// criu 3.17 leaves behind (docs/checkpoint.md). Private to the core library.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace vz::detail {

// criu found in the caller's PATH, as an absolute path; Error(code) naming
// the package when there is none.
std::string find_criu(int code);

// Runs `criu <args>` with dir as its images and work directory and `log` (a
// file name in dir) as its log. A failure throws Error(code) with what,
// criu's last error line and where the log is.
void run_criu(const std::vector<std::string> &args, const std::filesystem::path &dir,
              const std::string &log, int code, const std::string &what);

// criu 3.17 restores the container's network namespace behind its
// network-lock table `inet CRIU-<pid>` and, at the end, deletes the table
// named after its own new pid instead: every packet is dropped until the
// left-over one goes. Deletes every inet CRIU-* table in init's network
// namespace (nft runs from the host's file system, joined to that namespace
// only). Throws Error(code).
void drop_criu_tables(pid_t init, int code);

} // namespace vz::detail
