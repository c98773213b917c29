// Per-container lock compatible with OpenVZ: $LOCKDIR/<CTID>.lck created with
// link() from a temp file holding "<pid>\n<status>\n". A lock whose owner is
// dead is stale and taken over. And FileLock, a plain flock() on a file, for
// locks of vzkit's own (not OpenVZ's).
#pragma once

#include "vzkit/base/ct_config.h"
#include "vzkit/base/fd.h"

#include <filesystem>
#include <string_view>

namespace vz {

class CtLock {
  public:
    // Throws Error(VZ_LOCKED, "Container already locked by: pid N (cmdline)")
    // when a live process holds it.
    static CtLock acquire(const std::filesystem::path &lock_dir, Ctid ctid,
                          std::string_view status = {});
    CtLock(CtLock &&other) noexcept;
    CtLock &operator=(CtLock &&other) noexcept;
    CtLock(const CtLock &) = delete;
    CtLock &operator=(const CtLock &) = delete;
    ~CtLock(); // unlinks the lock file

    const std::filesystem::path &path() const { return path_; }

  private:
    explicit CtLock(std::filesystem::path path) : path_(std::move(path)) {}
    std::filesystem::path path_;
};

// flock(operation) on path (created 0600 if missing, never through a
// symlink), held until destroyed; failing throws Error(error_code).
class FileLock {
  public:
    FileLock(const std::filesystem::path &path, int operation, int error_code);

  private:
    UniqueFd fd_; // closing it unlocks
};

} // namespace vz
