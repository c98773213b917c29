// A container's file tree as the host may touch it: every path resolved as
// if the container's root were "/" (openat2 RESOLVE_IN_ROOT, no magic
// links), so its symlinks lead nowhere outside it; only regular files are
// read, and a file is replaced (temporary file + rename in its directory),
// never written through, so a link the container planted is replaced, not
// followed.
#pragma once

#include "vzkit/base/fd.h"

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vz::dist {

class CtRoot {
  public:
    // The tree at dir (a stopped container's private area, for reading).
    static CtRoot at(const std::filesystem::path &dir);
    // The root of the running container whose init is pid: what its
    // processes see as "/", mounts included.
    static CtRoot of_init(pid_t init);

    bool valid() const { return static_cast<bool>(root_); }
    // Whether path exists (a directory, when want_dir), symlinks followed
    // inside the container.
    bool exists(std::string_view path, bool want_dir) const;
    // A regular file's text (at most max_bytes), symlinks followed inside
    // the container; nullopt when it is missing or not a regular file.
    std::optional<std::string> read(std::string_view path, size_t max_bytes = 1 << 20) const;
    // Names of the regular files (not symlinks) directly in dir.
    std::vector<std::string> regular_files(std::string_view dir) const;
    // Puts text in path as write_file in dists/scripts/functions does: the
    // directory made when missing, the owner and mode of the regular file it
    // replaces kept (mode, when given, wins), the rest 0644. Nothing is written
    // when path already is a regular file with that text and mode. Returns
    // whether it wrote. Throws Error(VZ_FS_NO_DISK_SPACE), as the script.
    bool write(std::string_view path, std::string_view text,
               std::optional<mode_t> mode = std::nullopt) const;

    // Removes path itself (a link, not what it names), as rm -f: nothing
    // when it is missing or a directory.
    void remove(std::string_view path) const;

  private:
    explicit CtRoot(UniqueFd root) : root_(std::move(root)) {}
    UniqueFd open(std::string_view path, int flags) const;
    UniqueFd open_dir(std::string_view dir, bool create) const;

    UniqueFd root_;
};

} // namespace vz::dist
