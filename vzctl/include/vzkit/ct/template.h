// OS templates: finding $TEMPLATE/cache/<name>.tar[.gz|.bz2|.xz|.zst] and
// unpacking one safely into a new private area.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>

namespace vz {

// The first of <dir>/cache/<name>.tar, .tar.gz, .tar.bz2, .tar.xz, .tar.zst that exists.
std::optional<std::filesystem::path> find_template(const std::filesystem::path &template_dir,
                                                   std::string_view name);

// Estimated unpacked size of a template tarball (compressed size × a factor
// per compression, as OpenVZ's vps-create estimates it, or the sum of entry
// sizes for an uncompressed tar).
std::uint64_t estimate_unpacked_size(const std::filesystem::path &tarball);

// Unpacks tarball into dest (an existing, empty directory): numeric owners,
// modes, times, xattrs, ACLs, file capabilities, device nodes, hard links and
// sparse files. Every entry must stay inside dest: "..", absolute paths,
// writes through symlinks and hard links to outside are refused with
// Error(VZ_FS_BAD_TMPL) naming the entry. Other failures: Error(VZ_FS_NEW_VE_PRVT).
void unpack_template(const std::filesystem::path &tarball, const std::filesystem::path &dest);

} // namespace vz
