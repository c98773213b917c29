// The kernel's project quota on ext4 and XFS, as vzquota uses it: a tree is
// tagged with a project id (inherited by everything created below it), the
// kernel accounts the project's blocks and inodes, and enforces the limits
// set through quotactl. docs/quota.md says why project quota and what it
// cannot do.
#pragma once

#include "vzkit/base/fd.h"

#include <cstdint>
#include <filesystem>
#include <string>

namespace vz::quota {

using ProjectId = std::uint32_t;

// A project's limits: 1 KB blocks and inodes, 0 = no limit.
struct ProjectLimits {
    std::uint64_t block_soft = 0;
    std::uint64_t block_hard = 0;
    std::uint64_t inode_soft = 0;
    std::uint64_t inode_hard = 0;
    bool operator==(const ProjectLimits &) const = default;
};

// What the kernel says about a project: its limits, its usage and when the
// soft limits' grace ends (seconds since the epoch, 0 = not running).
struct ProjectStat {
    ProjectLimits limits;
    std::uint64_t bytes = 0;
    std::uint64_t inodes = 0;
    std::int64_t block_expires = 0;
    std::int64_t inode_expires = 0;
};

// The file system holding a directory, opened for quotactl_fd(2). Throws
// vz::Error(code) naming the path and what is missing when the file system
// cannot enforce project quota (not ext4/XFS, no project feature, mounted
// without prjquota): the one-line message vzctl and vzquota print.
class ProjectFs {
  public:
    static ProjectFs open(const std::filesystem::path &dir, int code);

    const std::string &type() const { return type_; } // "ext4", "xfs"
    // The directory it was opened on (what messages name), and its fd.
    const std::filesystem::path &dir() const { return dir_; }
    int fd() const { return fd_.get(); }

    ProjectStat stat(ProjectId id) const;
    void set_limits(ProjectId id, const ProjectLimits &limits) const;
    // The file system's grace periods for project quota, in seconds: the
    // kernel keeps one pair per file system and type, not per project.
    std::pair<std::uint64_t, std::uint64_t> grace() const;
    void set_grace(std::uint64_t block_seconds, std::uint64_t inode_seconds) const;

  private:
    ProjectFs(UniqueFd fd, std::string type, std::filesystem::path dir, int code)
        : fd_(std::move(fd)), type_(std::move(type)), dir_(std::move(dir)), code_(code) {}
    UniqueFd fd_;
    std::string type_;
    std::filesystem::path dir_;
    int code_;
};

// What tagging a tree found: its usage counted the way the kernel counts a
// project (each inode once, hard links included; allocated blocks).
struct TreeScan {
    std::uint64_t bytes = 0;
    std::uint64_t inodes = 0;
    std::uint64_t recreated = 0; // symlinks and special files re-made to carry the id
};

// Tags every inode of the tree at root with id, directories with the inherit
// flag, without following a symlink or leaving the file system (a mount
// point below root: Error(crosses_mounts_code) naming it; other failures
// Error(code)). Symlinks and special files,
// which the tagging ioctl cannot open, are re-created in place with the same
// owner, mode, device and times. Idempotent: a rescan after a crash tags what
// the last run did not reach.
TreeScan tag_tree(const std::filesystem::path &root, ProjectId id, int code,
                  int crosses_mounts_code);

} // namespace vz::quota
