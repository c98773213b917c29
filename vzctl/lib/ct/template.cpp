#include "vzkit/ct/template.h"

#include "vzkit/base/error.h"
#include "vzkit/base/fd.h"
#include "vzkit/base/process.h"
#include "vzkit/base/util.h"

#include "ct/archive_api.h"
#include "ct/decompressor.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <memory>
#include <set>
#include <span>
#include <string>

namespace vz {
namespace {

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------
// Size estimate

enum class Compression { none, gzip, bzip2, xz, zstd };

struct Magic {
    Compression kind;
    std::string_view bytes;
};

constexpr std::array kMagics{
    Magic{Compression::gzip, std::string_view("\x1f\x8b", 2)},
    Magic{Compression::bzip2, std::string_view("BZh", 3)},
    Magic{Compression::xz, std::string_view("\xfd\x37\x7a\x58\x5a\x00", 6)},
    Magic{Compression::zstd, std::string_view("\x28\xb5\x2f\xfd", 4)},
};

// Reads exactly buf.size() bytes at offset; false on a short read (truncated file).
bool read_at(int fd, std::uint64_t offset, std::span<unsigned char> buf) {
    std::size_t done = 0;
    while (done < buf.size()) {
        ssize_t n =
            ::pread(fd, buf.data() + done, buf.size() - done, static_cast<off_t>(offset + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

std::uint64_t little_endian(std::span<const unsigned char> bytes) {
    std::uint64_t value = 0;
    for (std::size_t i = bytes.size(); i-- > 0;)
        value = (value << 8) | bytes[i];
    return value;
}

Compression detect_compression(int fd) {
    std::array<unsigned char, 6> head{};
    if (!read_at(fd, 0, std::span(head).first(4)))
        return Compression::none;
    read_at(fd, 0, head); // a 4..5 byte file just leaves the tail zeroed
    std::string_view text(reinterpret_cast<const char *>(head.data()), head.size());
    for (const auto &magic : kMagics)
        if (text.starts_with(magic.bytes))
            return magic.kind;
    return Compression::none;
}

constexpr std::uint32_t kZstdMagic = 0xFD2FB528;

struct ZstdFrame {
    std::uint64_t content_size;
    std::uint64_t end; // offset just past the frame
};

// Walks the blocks of one frame starting at pos (just past its header).
std::optional<std::uint64_t> skip_zstd_blocks(int fd, std::uint64_t pos, std::uint64_t file_size) {
    for (;;) {
        std::array<unsigned char, 3> header{};
        if (!read_at(fd, pos, header))
            return std::nullopt;
        const auto bits = static_cast<std::uint32_t>(little_endian(header));
        const bool last = bits & 1;
        const unsigned type = (bits >> 1) & 3;
        const std::uint64_t block_size = bits >> 3;
        if (type == 3) // reserved: not a zstd stream we understand
            return std::nullopt;
        pos += 3 + (type == 1 ? 1 : block_size); // an RLE block stores one byte
        if (pos > file_size)
            return std::nullopt;
        if (last)
            return pos;
    }
}

// One frame at offset; nullopt when it does not declare its content size.
std::optional<ZstdFrame> read_zstd_frame(int fd, std::uint64_t offset, std::uint64_t file_size) {
    std::array<unsigned char, 5> head{};
    if (!read_at(fd, offset, head))
        return std::nullopt;
    const auto magic = static_cast<std::uint32_t>(little_endian(std::span(head).first(4)));
    if ((magic & 0xFFFFFFF0) == 0x184D2A50) { // skippable frame: 4-byte length follows
        std::array<unsigned char, 4> len{};
        if (!read_at(fd, offset + 4, len))
            return std::nullopt;
        return ZstdFrame{0, offset + 8 + little_endian(len)};
    }
    if (magic != kZstdMagic)
        return std::nullopt;
    const unsigned descriptor = head[4];
    const bool single_segment = descriptor & 0x20;
    const bool checksum = descriptor & 0x04;
    constexpr std::array<unsigned, 4> kDictIdBytes{0, 1, 2, 4};
    const std::array<unsigned, 4> fcs_bytes{single_segment ? 1U : 0U, 2, 4, 8};
    const unsigned fcs_len = fcs_bytes[descriptor >> 6];
    if (fcs_len == 0)
        return std::nullopt;
    std::uint64_t pos = offset + 5 + (single_segment ? 0 : 1) + kDictIdBytes[descriptor & 3];
    std::array<unsigned char, 8> fcs{};
    if (!read_at(fd, pos, std::span(fcs).first(fcs_len)))
        return std::nullopt;
    std::uint64_t content = little_endian(std::span(fcs).first(fcs_len));
    if (fcs_len == 2)
        content += 256; // the 2-byte field is stored minus 256
    auto end = skip_zstd_blocks(fd, pos + fcs_len, file_size);
    if (!end)
        return std::nullopt;
    return ZstdFrame{content, *end + (checksum ? 4 : 0)};
}

// Sum of the declared content sizes of every frame (zstd -T and pzstd write several),
// or nullopt if any frame leaves it out (streaming compressors do).
std::optional<std::uint64_t> zstd_content_size(int fd, std::uint64_t file_size) {
    std::uint64_t total = 0;
    for (std::uint64_t offset = 0; offset < file_size;) {
        auto frame = read_zstd_frame(fd, offset, file_size);
        if (!frame || frame->end > file_size)
            return std::nullopt;
        total += frame->content_size;
        offset = frame->end;
    }
    return total;
}

std::uint64_t gzip_estimate(int fd, std::uint64_t file_size) {
    // ISIZE is the last member's size mod 2^32: a floor, never the whole truth.
    std::array<unsigned char, 4> isize{};
    std::uint64_t floor = 0;
    if (file_size >= 4 && read_at(fd, file_size - 4, isize))
        floor = little_endian(isize);
    return std::max(floor, file_size * 3);
}

// ---------------------------------------------------------------------------
// Unpacking

// No ARCHIVE_EXTRACT_SECURE_SYMLINKS: its walk (an fstatat, an open and a
// close per component of every entry's path) was a fifth of the unpack's
// time (docs/benchmarks.md, issue 15 create). The unpack runs chrooted into
// dest instead (run_chrooted), so no path can resolve outside it whatever the
// entries before made, and check_entry refuses an entry through a symlink.
constexpr int kExtractFlags = ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME |
                              ARCHIVE_EXTRACT_XATTR | ARCHIVE_EXTRACT_ACL | ARCHIVE_EXTRACT_FFLAGS |
                              ARCHIVE_EXTRACT_SPARSE | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
                              ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS;

// Directories below dest already found to be real directories. Entries come
// grouped by directory, so nearly every ancestor of an entry was checked for
// the one before it: an lstat per ancestor per entry was a fifth of the
// unpack's system time (docs/benchmarks.md, issue 15 create). Only an entry
// can change what a path is (nothing else writes into a new private area
// under the container's lock): one that is not a directory may take the place
// of a directory (libarchive removes an empty one), so it forgets its own path
// and everything below it.
class CheckedDirs {
  public:
    bool contains(const std::string &dir) const { return dirs_.contains(dir); }
    void add(const std::string &dir) { dirs_.insert(dir); }
    void forget_below(const std::string &path) {
        dirs_.erase(path);
        // Every path below sorts from "path/" up to, not including, "path0".
        dirs_.erase(dirs_.lower_bound(path + '/'), dirs_.lower_bound(path + '0'));
    }

  private:
    std::set<std::string, std::less<>> dirs_;
};

// The path as a chain of names, without "." and empty names: "./a//b/" is
// "a/b", so that one directory has one key in CheckedDirs.
std::string normal_path(std::string_view path) {
    auto parts = split(path, '/');
    std::erase(parts, ".");
    return join(parts, "/");
}

class Unpacker {
  public:
    explicit Unpacker(const fs::path &tarball) : tarball_(tarball.string()) {}
    void run(const fs::path &dest);

  private:
    [[noreturn]] void fail(archive *a, std::string_view what) const;
    [[noreturn]] void refuse(std::string_view path, const std::string &reason) const;
    ArchiveReader open_reader(Decompressor *decompressor) const;
    void extract_all(archive *in);
    ArchiveWriter open_writer() const;
    void check_entry(archive_entry *entry);
    void check_parents(std::string_view entry, const std::string &path, std::string_view what);
    void extract_entry(archive *in, archive *out, archive_entry *entry) const;
    void copy_data(archive *in, archive *out, std::string_view what) const;

    std::string tarball_;
    CheckedDirs checked_;
};

void Unpacker::fail(archive *a, std::string_view what) const {
    // A signal may have cut a syscall short; report that rather than its fallout.
    check_interrupted();
    // A full disk is OpenVZ's VZ_FS_NO_DISK_SPACE, whether the free-space
    // check before the unpack saw it coming or not (inodes, a quota).
    const int err = archive_api().error_number(a);
    const int code = err == ENOSPC || err == EDQUOT ? VZ_FS_NO_DISK_SPACE : VZ_FS_NEW_VE_PRVT;
    throw Error(code, "Unable to unpack template " + tarball_ + ": " + std::string(what) +
                          archive_error_text(a));
}

void Unpacker::refuse(std::string_view path, const std::string &reason) const {
    throw Error(VZ_FS_BAD_TMPL,
                "Template " + tarball_ + ": refusing entry '" + std::string(path) + "': " + reason);
}

bool has_dotdot(std::string_view path) {
    for (const auto &part : split(path, '/'))
        if (part == "..")
            return true;
    return false;
}

// Each existing ancestor of path (a normal_path) must be a real directory: a
// symlink planted by an earlier entry would redirect the write outside dest.
// Ancestors are checked from the top, so every lstat below resolves through
// verified directories only.
void Unpacker::check_parents(std::string_view entry, const std::string &path,
                             std::string_view what) {
    for (auto slash = path.find('/'); slash != std::string::npos;
         slash = path.find('/', slash + 1)) {
        const std::string prefix = path.substr(0, slash);
        if (checked_.contains(prefix))
            continue;
        struct stat st {};
        if (::lstat(prefix.c_str(), &st) != 0)
            return; // libarchive creates the rest as directories
        if (S_ISLNK(st.st_mode))
            refuse(entry, std::string(what) + " passes through the symlink '" + prefix + "'");
        if (S_ISDIR(st.st_mode))
            checked_.add(prefix);
    }
}

void Unpacker::check_entry(archive_entry *entry) {
    const char *raw = archive_api().entry_pathname(entry);
    const std::string_view path = raw != nullptr ? raw : "";
    if (path.empty())
        refuse(path, "empty path");
    if (path.front() == '/')
        refuse(path, "absolute path");
    if (has_dotdot(path))
        refuse(path, "path contains '..'");
    const std::string normal = normal_path(path);
    check_parents(path, normal, "path");
    if (archive_api().entry_filetype(entry) != AE_IFDIR) {
        checked_.forget_below(normal);
    } else {
        // libarchive keeps what stands where a directory lands, following a
        // symlink to a directory: the entry's owner and mode would go on the
        // symlink's target. The symlink goes, as GNU tar replaces it.
        struct stat st {};
        if (!normal.empty() && ::lstat(normal.c_str(), &st) == 0 && S_ISLNK(st.st_mode) &&
            ::unlink(normal.c_str()) != 0)
            throw_errno(VZ_FS_NEW_VE_PRVT, "Unable to unpack template " + tarball_ + ": '" +
                                               std::string(path) +
                                               "': unable to remove the symlink in its place");
    }

    if (const char *target = archive_api().entry_hardlink(entry)) {
        const std::string_view link = target;
        if (link.empty() || link.front() == '/')
            refuse(path, "hard link to the absolute path '" + std::string(link) + "'");
        if (has_dotdot(link))
            refuse(path, "hard link target '" + std::string(link) + "' contains '..'");
        check_parents(path, normal_path(link), "hard link target '" + std::string(link) + "'");
    }
}

// The tar as it comes out of the decompressor's thread, or straight from the
// file when it is not compressed.
ArchiveReader Unpacker::open_reader(Decompressor *decompressor) const {
    ArchiveReader in(archive_api().read_new());
    if (!in)
        throw Error(VZ_FS_NEW_VE_PRVT, "Unable to unpack template " + tarball_ + ": out of memory");
    archive_api().read_support_format_tar(in.get()); // ustar, pax, gnu and v7
    int r;
    if (decompressor != nullptr) {
        r = archive_api().read_open(in.get(), decompressor, nullptr, decompressor_read, nullptr);
    } else {
        archive_api().read_support_filter_all(in.get());
        r = archive_api().read_open_filename(in.get(), tarball_.c_str(), 64 * 1024);
    }
    if (r != ARCHIVE_OK)
        fail(in.get(), "");
    return in;
}

ArchiveWriter Unpacker::open_writer() const {
    ArchiveWriter out(archive_api().write_disk_new());
    if (!out)
        throw Error(VZ_FS_NEW_VE_PRVT, "Unable to unpack template " + tarball_ + ": out of memory");
    // No archive_write_disk_set_standard_lookup: ids stay numeric, the host's
    // passwd must not remap the container's users.
    if (archive_api().write_disk_set_options(out.get(), kExtractFlags) != ARCHIVE_OK)
        fail(out.get(), "");
    return out;
}

void Unpacker::copy_data(archive *in, archive *out, std::string_view what) const {
    const void *buf = nullptr;
    size_t size = 0;
    la_int64_t offset = 0;
    for (;;) {
        const int r = archive_api().read_data_block(in, &buf, &size, &offset);
        if (r == ARCHIVE_EOF)
            return;
        if (r < ARCHIVE_WARN)
            fail(in, what);
        // Offsets skip the holes of sparse entries, so the disk file gets holes too.
        if (archive_api().write_data_block(out, buf, size, offset) < ARCHIVE_OK)
            fail(out, what);
    }
}

// Every ARCHIVE_WARN on the disk side (an xattr, ACL or owner that could not be
// set) fails the unpack: a template missing its file capabilities is broken.
void Unpacker::extract_entry(archive *in, archive *out, archive_entry *entry) const {
    const std::string what = "'" + std::string(archive_api().entry_pathname(entry)) + "': ";
    if (archive_api().write_header(out, entry) != ARCHIVE_OK)
        fail(out, what);
    if (archive_api().entry_size(entry) > 0)
        copy_data(in, out, what);
    if (archive_api().write_finish_entry(out) != ARCHIVE_OK)
        fail(out, what);
}

// A pax name in UTF-8 cannot be converted to the C locale: libarchive warns and
// keeps the raw bytes, which is exactly what belongs on disk. Any other warning
// (a malformed pax attribute dropped, say) could silently lose metadata.
bool name_conversion_warning(archive *in) {
    const char *text = archive_api().error_string(in);
    return text != nullptr && std::string_view(text).ends_with("to current locale.");
}

// Runs chrooted into dest: entry paths, libarchive's deferred directory
// fix-ups (run by archive_write_close/free) and check_entry's lstats are all
// relative to the thread's working directory, dest's root.
void Unpacker::extract_all(archive *in) {
    auto out = open_writer();
    archive_entry *entry = nullptr;
    for (;;) {
        check_interrupted();
        const int r = archive_api().read_next_header(in, &entry);
        if (r == ARCHIVE_EOF)
            break;
        if (r < ARCHIVE_OK && !(r == ARCHIVE_WARN && name_conversion_warning(in)))
            fail(in, "");
        check_entry(entry);
        extract_entry(in, out.get(), entry);
    }
    // Directory modes and times are only set here, after their contents.
    if (archive_api().write_close(out.get()) != ARCHIVE_OK)
        fail(out.get(), "");
}

bool is_compressed(const std::string &tarball) {
    UniqueFd fd(::open(tarball.c_str(), O_RDONLY | O_CLOEXEC));
    return fd && detect_compression(fd.get()) != Compression::none;
}

void Unpacker::run(const fs::path &dest) {
    // Opened before the chroot, so that a relative tarball path works.
    std::optional<Decompressor> decompressor;
    if (is_compressed(tarball_))
        decompressor.emplace(tarball_);
    try {
        auto in = open_reader(decompressor ? &*decompressor : nullptr);
        run_chrooted(
            dest, [&] { extract_all(in.get()); }, VZ_FS_NEW_VE_PRVT);
    } catch (const Error &) {
        // A stream cut short by a corrupt or truncated compression reads as a
        // truncated tar here: the decompressor's own error says what it is.
        if (decompressor)
            if (auto cause = decompressor->finish())
                throw *cause;
        throw;
    }
    // Past the tar's end the stream is read to its own end, so that the
    // checks of xz, bzip2 and zstd see all of it (libarchive does not check
    // gzip's CRC-32, docs/storage.md): a corrupt template fails its create.
    if (decompressor) {
        while (!decompressor->next().empty()) {
        }
        if (auto cause = decompressor->finish())
            throw *cause;
    }
}

} // namespace

std::optional<fs::path> find_template(const fs::path &template_dir, std::string_view name) {
    if (name.empty() || name == "." || name == ".." || name.find('/') != std::string_view::npos)
        return std::nullopt;
    for (std::string_view ext : {".tar", ".tar.gz", ".tar.bz2", ".tar.xz", ".tar.zst"}) {
        auto candidate = template_dir / "cache" / (std::string(name) + std::string(ext));
        std::error_code ec;
        if (fs::is_regular_file(candidate, ec))
            return candidate;
    }
    return std::nullopt;
}

std::uint64_t estimate_unpacked_size(const fs::path &tarball) {
    UniqueFd fd(::open(tarball.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd)
        throw_errno(VZ_FS_NEW_VE_PRVT, "Unable to open template " + tarball.string());
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0)
        throw_errno(VZ_FS_NEW_VE_PRVT, "Unable to stat template " + tarball.string());
    const auto size = static_cast<std::uint64_t>(st.st_size);
    switch (detect_compression(fd.get())) {
    case Compression::gzip:
        return gzip_estimate(fd.get(), size);
    case Compression::bzip2:
        return size * 3;
    case Compression::xz:
        return size * 47 / 10;
    case Compression::zstd:
        return zstd_content_size(fd.get(), size).value_or(size * 4);
    case Compression::none:
        break;
    }
    return size;
}

void unpack_template(const fs::path &tarball, const fs::path &dest) {
    Unpacker(tarball).run(dest);
}

} // namespace vz
