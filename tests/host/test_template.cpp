// Unpacking templates into a sandbox: owners, device nodes and security
// xattrs are restored as vzctl create does, which needs root.
#define BOOST_TEST_MODULE template
#include <boost/test/unit_test.hpp>

#include "vzkit/base/error.h"
#include "vzkit/base/process.h"
#include "vzkit/base/util.h"
#include "vzkit/ct/template.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <locale.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <array>
#include <clocale>
#include <csignal>
#include <cstring>
#include <fstream>
#include <functional>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

constexpr time_t kMtime = 1'500'000'000;
constexpr uid_t kUid = 12345;
constexpr gid_t kGid = 23456;

// A scratch directory: <root>/dest is where templates are unpacked and
// <root>/outside a sentinel that no entry may ever reach.
class Sandbox {
  public:
    Sandbox() {
        std::string name = "/tmp/vzkit-tmpl-XXXXXX";
        if (::mkdtemp(name.data()) == nullptr)
            throw std::runtime_error("mkdtemp failed");
        root = name;
        fs::create_directory(dest());
        fs::create_directory(outside());
        std::ofstream(outside() / "file") << "sentinel\n";
    }
    Sandbox(const Sandbox &) = delete;
    Sandbox &operator=(const Sandbox &) = delete;
    ~Sandbox() {
        std::error_code ec;
        fs::remove_all(root, ec);
    }

    fs::path dest() const { return root / "dest"; }
    fs::path outside() const { return root / "outside"; }
    fs::path tarball() const { return root / "tmpl.tar"; }

    // Nothing appeared beside dest and the sentinel is untouched.
    void check_outside_untouched() const {
        std::set<std::string> names;
        for (const auto &e : fs::directory_iterator(root))
            names.insert(e.path().filename());
        names.erase("tmpl.tar");
        BOOST_TEST((names == std::set<std::string>{"dest", "outside"}));
        std::set<std::string> inside;
        for (const auto &e : fs::directory_iterator(outside()))
            inside.insert(e.path().filename());
        BOOST_TEST((inside == std::set<std::string>{"file"}));
        BOOST_TEST(fs::hard_link_count(outside() / "file") == 1U);
        BOOST_TEST(vz::read_file(outside() / "file").value_or("") == "sentinel\n");
    }

    fs::path root;
};

struct EntryFree {
    void operator()(archive_entry *e) const noexcept { archive_entry_free(e); }
};
using Entry = std::unique_ptr<archive_entry, EntryFree>;

struct WriteFree {
    void operator()(archive *a) const noexcept { archive_write_free(a); }
};
using Writer = std::unique_ptr<archive, WriteFree>;

Entry make_entry(const std::string &path, mode_t type, mode_t perm = 0644) {
    Entry e(archive_entry_new());
    archive_entry_set_pathname(e.get(), path.c_str());
    archive_entry_set_filetype(e.get(), type);
    archive_entry_set_perm(e.get(), perm);
    archive_entry_set_mtime(e.get(), kMtime, 0);
    return e;
}

// Builds a tarball with libarchive's write API, as a template maker would.
class TarWriter {
  public:
    explicit TarWriter(const fs::path &file, int filter = ARCHIVE_FILTER_NONE,
                       int format = ARCHIVE_FORMAT_TAR_PAX_INTERCHANGE)
        : out_(archive_write_new()) {
        BOOST_REQUIRE(archive_write_add_filter(out_.get(), filter) == ARCHIVE_OK);
        BOOST_REQUIRE(archive_write_set_format(out_.get(), format) == ARCHIVE_OK);
        BOOST_REQUIRE(archive_write_open_filename(out_.get(), file.c_str()) == ARCHIVE_OK);
    }

    void add(archive_entry *e, std::string_view data = {}) {
        if (archive_entry_filetype(e) == AE_IFREG && archive_entry_hardlink(e) == nullptr)
            archive_entry_set_size(e, static_cast<la_int64_t>(data.size()));
        BOOST_REQUIRE_MESSAGE(archive_write_header(out_.get(), e) >= ARCHIVE_WARN,
                              archive_error_string(out_.get()));
        if (!data.empty())
            BOOST_REQUIRE(archive_write_data(out_.get(), data.data(), data.size()) ==
                          static_cast<la_ssize_t>(data.size()));
    }
    void dir(const std::string &path, mode_t perm = 0755) {
        add(make_entry(path, AE_IFDIR, perm).get());
    }
    void file(const std::string &path, std::string_view data, mode_t perm = 0644) {
        add(make_entry(path, AE_IFREG, perm).get(), data);
    }
    void symlink(const std::string &path, const std::string &target) {
        auto e = make_entry(path, AE_IFLNK, 0777);
        archive_entry_set_symlink(e.get(), target.c_str());
        add(e.get());
    }
    void hardlink(const std::string &path, const std::string &target) {
        auto e = make_entry(path, AE_IFREG);
        archive_entry_set_hardlink(e.get(), target.c_str());
        archive_entry_set_size(e.get(), 0);
        add(e.get());
    }
    void close() { BOOST_REQUIRE(archive_write_close(out_.get()) == ARCHIVE_OK); }

  private:
    Writer out_;
};

struct stat lstat_of(const fs::path &path) {
    struct stat st {};
    BOOST_REQUIRE_MESSAGE(::lstat(path.c_str(), &st) == 0, "lstat " << path);
    return st;
}

std::string xattr_of(const fs::path &path, const char *name) {
    std::string value(256, '\0');
    ssize_t n = ::lgetxattr(path.c_str(), name, value.data(), value.size());
    BOOST_REQUIRE_MESSAGE(n >= 0, "getxattr " << name << " on " << path << ": " << strerror(errno));
    value.resize(static_cast<std::size_t>(n));
    return value;
}

// A valid VFS_CAP_REVISION_2 blob granting CAP_NET_RAW (bit 13), effective.
std::string net_raw_capability() {
    const std::array<std::uint32_t, 5> words{0x02000000 | 0x1, 1U << 13, 0, 0, 0};
    std::string blob;
    for (auto w : words)
        for (int i = 0; i < 4; ++i)
            blob += static_cast<char>((w >> (8 * i)) & 0xff);
    return blob;
}

std::string random_bytes(std::size_t n, unsigned seed) {
    std::mt19937 gen(seed);
    std::string data(n, '\0');
    for (auto &c : data)
        c = static_cast<char>(gen() & 0xff);
    return data;
}

void expect_error(const std::function<void()> &action, int code, const std::string &fragment) {
    try {
        action();
        BOOST_FAIL("expected vz::Error " << code);
    } catch (const vz::Error &e) {
        BOOST_TEST(e.code() == code);
        BOOST_TEST(std::string(e.what()).find(fragment) != std::string::npos,
                   "'" << e.what() << "' should contain '" << fragment << "'");
        BOOST_TEST(std::string(e.what()).find('\n') == std::string::npos);
    }
}

// The tarball built by fill must be refused at `entry` with nothing escaping dest.
void expect_refused(const std::function<void(TarWriter &, const Sandbox &)> &fill,
                    const std::string &entry) {
    Sandbox box;
    TarWriter tar(box.tarball());
    fill(tar, box);
    tar.close();
    const auto cwd = fs::current_path();
    expect_error([&] { vz::unpack_template(box.tarball(), box.dest()); }, vz::VZ_FS_BAD_TMPL,
                 "refusing entry '" + entry + "'");
    BOOST_TEST(fs::current_path() == cwd);
    box.check_outside_untouched();
}

} // namespace

BOOST_AUTO_TEST_CASE(unpacks_owners_modes_and_special_files) {
    Sandbox box;
    TarWriter tar(box.tarball());
    tar.dir("./", 0755);
    tar.dir("./bin");
    auto tool = make_entry("./bin/tool", AE_IFREG, 04755);
    archive_entry_set_uid(tool.get(), kUid);
    archive_entry_set_gid(tool.get(), kGid);
    // Names must be ignored: a host lookup would map "root" to uid 0.
    archive_entry_set_uname(tool.get(), "root");
    archive_entry_set_gname(tool.get(), "root");
    tar.add(tool.get(), "#!/bin/sh\necho tool\n");
    tar.hardlink("./bin/tool2", "./bin/tool");
    tar.symlink("./bin/sh", "tool");
    tar.symlink("./localtime", "/usr/share/zoneinfo/UTC");
    auto srv = make_entry("./srv", AE_IFDIR, 0750);
    archive_entry_set_uid(srv.get(), kUid);
    tar.add(srv.get());
    tar.file("./srv/data", "data"); // touches srv's mtime: the close fix-up must restore it
    tar.dir("./locked", 0500);
    tar.file("./locked/inside", "x", 0400);
    tar.dir("./tmp", 01777);
    auto null = make_entry("./dev/null", AE_IFCHR, 0666);
    archive_entry_set_rdevmajor(null.get(), 1);
    archive_entry_set_rdevminor(null.get(), 3);
    tar.add(null.get());
    auto loop = make_entry("./dev/loop0", AE_IFBLK, 0660);
    archive_entry_set_rdevmajor(loop.get(), 7);
    archive_entry_set_rdevminor(loop.get(), 0);
    tar.add(loop.get());
    tar.add(make_entry("./run/initctl", AE_IFIFO, 0600).get());
    tar.close();

    vz::unpack_template(box.tarball(), box.dest());
    const auto d = box.dest();

    BOOST_TEST((lstat_of(d).st_mode & 07777) == 0755U);
    auto st = lstat_of(d / "bin/tool");
    BOOST_TEST(S_ISREG(st.st_mode));
    BOOST_TEST((st.st_mode & 07777) == 04755U);
    BOOST_TEST(st.st_uid == kUid);
    BOOST_TEST(st.st_gid == kGid);
    BOOST_TEST(st.st_mtim.tv_sec == kMtime);
    BOOST_TEST(vz::read_file(d / "bin/tool").value_or("") == "#!/bin/sh\necho tool\n");

    auto st2 = lstat_of(d / "bin/tool2");
    BOOST_TEST(st2.st_ino == st.st_ino);
    BOOST_TEST(st2.st_nlink == 2U);

    BOOST_TEST(S_ISLNK(lstat_of(d / "bin/sh").st_mode));
    BOOST_TEST(fs::read_symlink(d / "bin/sh") == "tool");
    BOOST_TEST(fs::read_symlink(d / "localtime") == "/usr/share/zoneinfo/UTC");
    BOOST_TEST(lstat_of(d / "localtime").st_mtim.tv_sec == kMtime);

    auto srv_st = lstat_of(d / "srv");
    BOOST_TEST((srv_st.st_mode & 07777) == 0750U);
    BOOST_TEST(srv_st.st_uid == kUid);
    BOOST_TEST(srv_st.st_mtim.tv_sec == kMtime);
    BOOST_TEST((lstat_of(d / "locked").st_mode & 07777) == 0500U);
    BOOST_TEST(vz::read_file(d / "locked/inside").value_or("") == "x");
    BOOST_TEST((lstat_of(d / "tmp").st_mode & 07777) == 01777U);

    auto dev = lstat_of(d / "dev/null");
    BOOST_TEST(S_ISCHR(dev.st_mode));
    BOOST_TEST(major(dev.st_rdev) == 1U);
    BOOST_TEST(minor(dev.st_rdev) == 3U);
    BOOST_TEST((dev.st_mode & 07777) == 0666U);
    auto blk = lstat_of(d / "dev/loop0");
    BOOST_TEST(S_ISBLK(blk.st_mode));
    BOOST_TEST(major(blk.st_rdev) == 7U);
    BOOST_TEST(minor(blk.st_rdev) == 0U);
    auto fifo = lstat_of(d / "run/initctl");
    BOOST_TEST(S_ISFIFO(fifo.st_mode));
    BOOST_TEST((fifo.st_mode & 07777) == 0600U);
    box.check_outside_untouched();
}

BOOST_AUTO_TEST_CASE(unpacks_xattrs_capabilities_and_acls) {
    Sandbox box;
    TarWriter tar(box.tarball());
    auto plain = make_entry("note", AE_IFREG);
    archive_entry_xattr_add_entry(plain.get(), "user.vzkit", "hello", 5);
    tar.add(plain.get(), "note\n");

    const auto cap = net_raw_capability();
    auto ping = make_entry("ping", AE_IFREG, 0755);
    archive_entry_set_uid(ping.get(), kUid); // the chown must not wipe the capability
    archive_entry_xattr_add_entry(ping.get(), "security.capability", cap.data(), cap.size());
    tar.add(ping.get(), "\x7f"
                        "ELF");

    auto shared = make_entry("shared", AE_IFREG, 0640);
    const int rw = ARCHIVE_ENTRY_ACL_READ | ARCHIVE_ENTRY_ACL_WRITE;
    const int access = ARCHIVE_ENTRY_ACL_TYPE_ACCESS;
    archive_entry_acl_add_entry(shared.get(), access, rw, ARCHIVE_ENTRY_ACL_USER_OBJ, -1, nullptr);
    archive_entry_acl_add_entry(shared.get(), access, rw, ARCHIVE_ENTRY_ACL_USER, kUid, nullptr);
    archive_entry_acl_add_entry(shared.get(), access, ARCHIVE_ENTRY_ACL_READ,
                                ARCHIVE_ENTRY_ACL_GROUP_OBJ, -1, nullptr);
    archive_entry_acl_add_entry(shared.get(), access, rw, ARCHIVE_ENTRY_ACL_MASK, -1, nullptr);
    archive_entry_acl_add_entry(shared.get(), access, 0, ARCHIVE_ENTRY_ACL_OTHER, -1, nullptr);
    tar.add(shared.get(), "shared\n");
    tar.close();

    vz::unpack_template(box.tarball(), box.dest());

    BOOST_TEST(xattr_of(box.dest() / "note", "user.vzkit") == "hello");
    BOOST_TEST(xattr_of(box.dest() / "ping", "security.capability") == cap);
    BOOST_TEST(lstat_of(box.dest() / "ping").st_uid == kUid);

    // system.posix_acl_access: a u32 version, then {u16 tag, u16 perm, u32 id} per entry.
    const auto acl = xattr_of(box.dest() / "shared", "system.posix_acl_access");
    BOOST_REQUIRE(acl.size() >= 4 && (acl.size() - 4) % 8 == 0);
    bool found_user = false;
    for (std::size_t off = 4; off < acl.size(); off += 8) {
        std::uint16_t tag = 0;
        std::uint16_t perm = 0;
        std::uint32_t id = 0;
        std::memcpy(&tag, acl.data() + off, 2);
        std::memcpy(&perm, acl.data() + off + 2, 2);
        std::memcpy(&id, acl.data() + off + 4, 4);
        if (tag == 0x02) { // ACL_USER
            found_user = true;
            BOOST_TEST(id == kUid);
            BOOST_TEST(perm == 6U);
        }
    }
    BOOST_TEST(found_user);
}

BOOST_AUTO_TEST_CASE(unpacks_sparse_files_with_holes) {
    Sandbox box;
    TarWriter tar(box.tarball());
    constexpr std::size_t kSize = 8 << 20;
    std::string data(kSize, '\0');
    std::memset(data.data(), 'a', 4096);
    std::memset(data.data() + (4 << 20), 'b', 4096);
    auto e = make_entry("sparse", AE_IFREG);
    // libarchive drops sparse blocks that lie beyond the size set so far.
    archive_entry_set_size(e.get(), kSize);
    archive_entry_sparse_add_entry(e.get(), 0, 4096);
    archive_entry_sparse_add_entry(e.get(), 4 << 20, 4096);
    tar.add(e.get(), data);
    tar.close();
    // The pax sparse encoding stores only the data blocks.
    BOOST_TEST(fs::file_size(box.tarball()) < 64U * 1024);

    vz::unpack_template(box.tarball(), box.dest());
    auto st = lstat_of(box.dest() / "sparse");
    BOOST_TEST(st.st_size == static_cast<off_t>(kSize));
    BOOST_TEST(st.st_blocks * 512 < 1 << 20);
    BOOST_TEST(vz::read_file(box.dest() / "sparse").value_or("") == data);
}

BOOST_AUTO_TEST_CASE(unpacks_gnu_format_and_non_ascii_names) {
    Sandbox box;
    const std::string long_dir(120, 'd');
    const std::string utf8 = "caf\xc3\xa9.txt";
    TarWriter tar(box.tarball(), ARCHIVE_FILTER_GZIP, ARCHIVE_FORMAT_TAR_GNUTAR);
    tar.file(long_dir + "/" + utf8, "gnu");
    tar.symlink("link", long_dir + "/" + utf8);
    tar.close();

    vz::unpack_template(box.tarball(), box.dest());
    BOOST_TEST(vz::read_file(box.dest() / long_dir / utf8).value_or("") == "gnu");
    BOOST_TEST(vz::read_file(box.dest() / "link").value_or("") == "gnu");

    // GNU tar writes pax names as plain UTF-8 (no hdrcharset=BINARY). Reading
    // them in the C locale makes libarchive warn; the raw bytes must still land.
    Sandbox pax;
    locale_t utf8_locale = ::newlocale(LC_ALL_MASK, "C.UTF-8", nullptr);
    BOOST_REQUIRE(utf8_locale != nullptr);
    locale_t previous = ::uselocale(utf8_locale);
    {
        TarWriter pax_tar(pax.tarball());
        pax_tar.file(utf8, "pax");
        pax_tar.close();
    }
    ::uselocale(previous);
    ::freelocale(utf8_locale);
    const auto raw = vz::read_file(pax.tarball()).value_or("");
    BOOST_TEST(raw.find("path=" + utf8) != std::string::npos);
    BOOST_TEST(raw.find("hdrcharset") == std::string::npos);
    vz::unpack_template(pax.tarball(), pax.dest());
    BOOST_TEST(vz::read_file(pax.dest() / utf8).value_or("") == "pax");
}

BOOST_AUTO_TEST_CASE(replacing_a_symlink_does_not_follow_it) {
    Sandbox box;
    TarWriter tar(box.tarball());
    tar.symlink("evil", (box.outside() / "file").string());
    tar.file("evil", "replaced");
    tar.symlink("evildir", box.outside().string());
    tar.dir("evildir", 0700);
    tar.close();
    vz::unpack_template(box.tarball(), box.dest());
    BOOST_TEST(vz::read_file(box.dest() / "evil").value_or("") == "replaced");
    BOOST_TEST(fs::is_directory(fs::symlink_status(box.dest() / "evildir")));
    BOOST_TEST((lstat_of(box.outside()).st_mode & 07777) != 0700U);
    box.check_outside_untouched();
}

// ---------------------------------------------------------------------------
// Finding and sizing templates in every compression

namespace {

struct Flavour {
    const char *ext;
    int filter;
};
constexpr std::array kFlavours{
    Flavour{".tar", ARCHIVE_FILTER_NONE},      Flavour{".tar.gz", ARCHIVE_FILTER_GZIP},
    Flavour{".tar.bz2", ARCHIVE_FILTER_BZIP2}, Flavour{".tar.xz", ARCHIVE_FILTER_XZ},
    Flavour{".tar.zst", ARCHIVE_FILTER_ZSTD},
};

void write_sample(const fs::path &file, int filter, const std::string &payload) {
    TarWriter tar(file, filter);
    tar.dir("etc");
    tar.file("etc/os-release", "ID=test\n");
    tar.file("blob", payload);
    tar.close();
}

} // namespace

BOOST_AUTO_TEST_CASE(finds_each_compression_in_order_and_unpacks_it) {
    Sandbox box;
    const auto cache = box.root / "cache";
    fs::create_directory(cache);
    const auto payload = random_bytes(300 * 1024, 7);
    const auto plain_size = [&] {
        write_sample(box.root / "plain.tar", ARCHIVE_FILTER_NONE, payload);
        return fs::file_size(box.root / "plain.tar");
    }();
    for (const auto &f : kFlavours)
        write_sample(cache / (std::string("os") + f.ext), f.filter, payload);

    BOOST_TEST(!vz::find_template(box.root, "missing").has_value());
    BOOST_TEST(!vz::find_template(box.root, "../cache/os").has_value());
    for (const auto &f : kFlavours) {
        const auto found = vz::find_template(box.root, "os");
        BOOST_REQUIRE(found.has_value());
        BOOST_TEST(*found == cache / (std::string("os") + f.ext));
        BOOST_TEST(vz::estimate_unpacked_size(*found) >= plain_size, f.ext);

        const auto dest = box.root / (std::string("dest") + f.ext);
        fs::create_directory(dest);
        vz::unpack_template(*found, dest);
        BOOST_TEST(vz::read_file(dest / "etc/os-release").value_or("") == "ID=test\n");
        BOOST_TEST(vz::read_file(dest / "blob").value_or("") == payload, f.ext);
        fs::remove(*found);
    }
    BOOST_TEST(!vz::find_template(box.root, "os").has_value());
}

BOOST_AUTO_TEST_CASE(gzip_estimate_uses_the_isize_trailer) {
    Sandbox box;
    const std::string zeros(4 << 20, '\0');
    write_sample(box.tarball(), ARCHIVE_FILTER_GZIP, zeros);
    BOOST_TEST(fs::file_size(box.tarball()) * 3 < zeros.size()); // ×3 alone would be short
    BOOST_TEST(vz::estimate_unpacked_size(box.tarball()) >= zeros.size());
}

namespace {

void put_le(std::string &out, std::uint64_t value, int bytes) {
    for (int i = 0; i < bytes; ++i)
        out += static_cast<char>((value >> (8 * i)) & 0xff);
}

// A zstd stream built by hand: a frame of raw blocks with a 4-byte content
// size, a skippable frame, and a frame holding one RLE block whose content
// size uses the 2-byte (+256) encoding.
std::string handmade_zstd(std::string_view data) {
    std::size_t zeros = 0;
    while (zeros < data.size() && data[data.size() - 1 - zeros] == '\0')
        ++zeros;
    BOOST_REQUIRE(zeros >= 256 && zeros < 65536 + 256);
    const auto body = data.substr(0, data.size() - zeros);

    std::string out;
    put_le(out, 0xFD2FB528, 4);
    out += static_cast<char>(0xA0); // FCS 4 bytes, single segment
    put_le(out, body.size(), 4);
    constexpr std::size_t kMaxBlock = 128 * 1024;
    for (std::size_t off = 0; off < body.size(); off += kMaxBlock) {
        const auto chunk = body.substr(off, kMaxBlock);
        const bool last = off + kMaxBlock >= body.size();
        put_le(out, (chunk.size() << 3) | (last ? 1 : 0), 3); // type 0: raw
        out += chunk;
    }
    put_le(out, 0x184D2A53, 4);
    put_le(out, 5, 4);
    out += "skip!";
    put_le(out, 0xFD2FB528, 4);
    out += static_cast<char>(0x60); // FCS 2 bytes, single segment
    put_le(out, zeros - 256, 2);
    put_le(out, (zeros << 3) | (1 << 1) | 1, 3); // type 1: RLE, last
    out += '\0';
    return out;
}

} // namespace

BOOST_AUTO_TEST_CASE(zstd_estimate_reads_frame_content_sizes) {
    Sandbox box;
    const auto plain = box.root / "plain.tar";
    write_sample(plain, ARCHIVE_FILTER_NONE, random_bytes(200 * 1024, 3));
    const auto tar = vz::read_file(plain).value();
    const auto zst = box.root / "hand.tar.zst";
    std::ofstream(zst, std::ios::binary) << handmade_zstd(tar);

    BOOST_TEST(vz::estimate_unpacked_size(zst) == tar.size());
    vz::unpack_template(zst, box.dest());
    BOOST_TEST(vz::read_file(box.dest() / "etc/os-release").value_or("") == "ID=test\n");

    // Streaming compressors leave the size out: fall back to ×4.
    const auto streamed = box.root / "streamed.tar.zst";
    write_sample(streamed, ARCHIVE_FILTER_ZSTD, "x");
    BOOST_TEST(vz::estimate_unpacked_size(streamed) == fs::file_size(streamed) * 4);
}

// ---------------------------------------------------------------------------
// Refusals

BOOST_AUTO_TEST_CASE(refuses_dotdot_escape) {
    expect_refused([](TarWriter &t, const Sandbox &) { t.file("../escape", "x"); }, "../escape");
}

BOOST_AUTO_TEST_CASE(refuses_absolute_path) {
    expect_refused([](TarWriter &t, const Sandbox &) { t.file("/abs/file", "x"); }, "/abs/file");
    BOOST_TEST(!fs::exists("/abs"));
    std::string target;
    expect_refused(
        [&](TarWriter &t, const Sandbox &box) {
            target = (box.outside() / "new").string();
            t.file(target, "x");
        },
        target);
}

BOOST_AUTO_TEST_CASE(refuses_inner_dotdot) {
    expect_refused(
        [](TarWriter &t, const Sandbox &) {
            t.dir("a");
            t.file("a/../../x", "x");
        },
        "a/../../x");
}

BOOST_AUTO_TEST_CASE(refuses_write_through_absolute_symlink) {
    expect_refused(
        [](TarWriter &t, const Sandbox &box) {
            t.symlink("evil", box.outside().string());
            t.file("evil/pwned", "x");
        },
        "evil/pwned");
}

BOOST_AUTO_TEST_CASE(refuses_write_through_relative_symlink) {
    expect_refused(
        [](TarWriter &t, const Sandbox &) {
            t.symlink("up", "..");
            t.file("up/x", "x");
        },
        "up/x");
    expect_refused(
        [](TarWriter &t, const Sandbox &) {
            t.dir("d");
            t.symlink("d/up", "../..");
            t.dir("./d/up/outside");
        },
        "./d/up/outside/"); // pax stores directory names with a trailing slash
}

BOOST_AUTO_TEST_CASE(refuses_hard_links_out_of_dest) {
    expect_refused([](TarWriter &t, const Sandbox &) { t.hardlink("hl", "/etc/passwd"); }, "hl");
    expect_refused([](TarWriter &t, const Sandbox &) { t.hardlink("hl", "../outside/file"); },
                   "hl");
    expect_refused(
        [](TarWriter &t, const Sandbox &box) {
            t.symlink("out", box.outside().string());
            t.hardlink("hl", "out/file");
        },
        "hl");
}

BOOST_AUTO_TEST_CASE(refusal_stops_before_later_entries) {
    Sandbox box;
    TarWriter tar(box.tarball());
    tar.file("before", "1");
    tar.file("../escape", "x");
    tar.file("after", "2");
    tar.close();
    expect_error([&] { vz::unpack_template(box.tarball(), box.dest()); }, vz::VZ_FS_BAD_TMPL,
                 box.tarball().string());
    BOOST_TEST(fs::exists(box.dest() / "before"));
    BOOST_TEST(!fs::exists(box.dest() / "after"));
}

// Our own checks run first; this pins down that the second line of defence
// is one on its own: libarchive with the unpacker's flags (no
// SECURE_SYMLINKS), writing through symlinks planted to leave dest, in
// run_chrooted as the unpack runs, lands everything inside dest.
BOOST_AUTO_TEST_CASE(chrooted_libarchive_stays_in_dest_on_its_own) {
    Sandbox box;
    const auto cwd = fs::current_path();
    std::vector<int> results;
    vz::run_chrooted(
        box.dest(),
        [&] {
            Writer disk(archive_write_disk_new());
            archive_write_disk_set_options(disk.get(), ARCHIVE_EXTRACT_OWNER |
                                                           ARCHIVE_EXTRACT_PERM |
                                                           ARCHIVE_EXTRACT_SECURE_NODOTDOT |
                                                           ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS);
            auto write = [&](archive_entry *e, const std::string &data = "") {
                int r = archive_write_header(disk.get(), e);
                if (r == ARCHIVE_OK && !data.empty())
                    archive_write_data(disk.get(), data.data(), data.size());
                archive_write_finish_entry(disk.get());
                results.push_back(r);
            };
            auto up = make_entry("up", AE_IFLNK, 0777);
            archive_entry_set_symlink(up.get(), "../..");
            write(up.get());
            auto root = make_entry("root", AE_IFLNK, 0777);
            archive_entry_set_symlink(root.get(), "/");
            write(root.get());
            auto abs = make_entry("abs", AE_IFLNK, 0777);
            archive_entry_set_symlink(abs.get(), box.outside().c_str());
            write(abs.get());
            auto x = make_entry("up/x", AE_IFREG);
            archive_entry_set_size(x.get(), 1);
            write(x.get(), "x");
            auto y = make_entry("root/y", AE_IFREG);
            archive_entry_set_size(y.get(), 1);
            write(y.get(), "y");
            write(make_entry("up/d", AE_IFDIR, 0700).get());
            // The sentinel's own path, from inside dest, is not there: these fail.
            auto over = make_entry("abs/file", AE_IFREG);
            archive_entry_set_size(over.get(), 6);
            write(over.get(), "pwned\n");
            auto hl = make_entry("hl", AE_IFREG);
            archive_entry_set_hardlink(hl.get(), "abs/file");
            write(hl.get());
        },
        vz::VZ_FS_NEW_VE_PRVT);
    BOOST_TEST(fs::current_path() == cwd); // the caller's cwd and root are its own
    BOOST_TEST(fs::exists(box.outside() / "file"));
    BOOST_REQUIRE(results.size() == 8U);
    BOOST_TEST((std::vector<int>(results.begin(), results.begin() + 6) ==
                std::vector<int>(6, ARCHIVE_OK)));
    BOOST_TEST(results[6] != ARCHIVE_OK);
    BOOST_TEST(results[7] != ARCHIVE_OK);
    // ".." stops at dest's root, "/" is dest's root.
    BOOST_TEST(vz::read_file(box.dest() / "x").value_or("") == "x");
    BOOST_TEST(vz::read_file(box.dest() / "y").value_or("") == "y");
    BOOST_TEST(fs::is_directory(box.dest() / "d"));
    box.check_outside_untouched();
}

// ---------------------------------------------------------------------------
// Other failures

BOOST_AUTO_TEST_CASE(corrupt_and_missing_tarballs_fail_with_48) {
    Sandbox box;
    expect_error([&] { vz::unpack_template(box.root / "none.tar", box.dest()); },
                 vz::VZ_FS_NEW_VE_PRVT, (box.root / "none.tar").string());

    write_sample(box.tarball(), ARCHIVE_FILTER_GZIP, random_bytes(100 * 1024, 1));
    fs::resize_file(box.tarball(), fs::file_size(box.tarball()) / 2);
    expect_error([&] { vz::unpack_template(box.tarball(), box.dest()); }, vz::VZ_FS_NEW_VE_PRVT,
                 box.tarball().string());

    std::ofstream(box.tarball(), std::ios::trunc) << std::string(2048, 'j');
    const auto cwd = fs::current_path();
    expect_error([&] { vz::unpack_template(box.tarball(), box.dest()); }, vz::VZ_FS_NEW_VE_PRVT,
                 "Unable to unpack template " + box.tarball().string() + ": ");
    BOOST_TEST(fs::current_path() == cwd);
}

// A compressed template is decompressed by a second thread into a pipe
// (ct/decompressor.h). A refusal while that thread still has megabytes to
// write must stop it, not leave it blocked on the full pipe (the alarm fails
// the test instead of hanging it), and the refusal is what is reported.
BOOST_AUTO_TEST_CASE(refusal_in_a_compressed_template_stops_the_decompressor) {
    Sandbox box;
    {
        TarWriter tar(box.tarball(), ARCHIVE_FILTER_XZ);
        tar.file("before", "1");
        tar.file("../escape", "x");
        tar.file("after", random_bytes(8 << 20, 3));
        tar.close();
    }
    ::alarm(60);
    expect_error([&] { vz::unpack_template(box.tarball(), box.dest()); }, vz::VZ_FS_BAD_TMPL,
                 "refusing entry '../escape'");
    ::alarm(0);
    BOOST_TEST(fs::exists(box.dest() / "before"));
    BOOST_TEST(!fs::exists(box.dest() / "after"));
}

// Text-like data: compressed by entropy coding, not stored, so that a flipped
// byte breaks the decoding instead of only changing the output.
std::string words(std::size_t n, unsigned seed) {
    static const std::array<std::string_view, 8> vocabulary = {
        "container ", "barrier ", "limit ", "failcnt ", "ostemplate ", "\n", "private ", "root "};
    std::mt19937 gen(seed);
    std::string text;
    while (text.size() < n)
        text += vocabulary[gen() % vocabulary.size()];
    return text;
}

// A stream that stops decompressing reads as a truncated tar on the reading
// side; the error reported is the decompressor's, which says what is wrong.
// Not gzip: garbled deflate data often still decodes (to garbage), and
// libarchive does not check gzip's CRC-32 (docs/storage.md).
BOOST_AUTO_TEST_CASE(corrupt_compressed_stream_reports_the_decompression_error) {
    Sandbox box;
    for (int filter : {ARCHIVE_FILTER_XZ, ARCHIVE_FILTER_ZSTD, ARCHIVE_FILTER_BZIP2}) {
        write_sample(box.tarball(), filter, words(8 << 20, 5));
        std::string bytes = vz::read_file(box.tarball()).value_or("");
        BOOST_REQUIRE(bytes.size() > 64 * 1024);
        for (std::size_t i = bytes.size() / 2; i < bytes.size() / 2 + 64; ++i)
            bytes[i] = static_cast<char>(~bytes[i]);
        std::ofstream(box.tarball(), std::ios::trunc | std::ios::binary) << bytes;
        try {
            vz::unpack_template(box.tarball(), box.dest());
            BOOST_FAIL("a corrupt stream unpacked, filter " << filter);
        } catch (const vz::Error &e) {
            const std::string what = e.what();
            BOOST_TEST(e.code() == vz::VZ_FS_NEW_VE_PRVT);
            BOOST_TEST(what.find(box.tarball().string()) != std::string::npos);
            BOOST_TEST(what.find("Truncated tar archive") == std::string::npos, what);
        }
        fs::remove_all(box.dest());
        fs::create_directory(box.dest());
    }
}

BOOST_AUTO_TEST_CASE(interrupt_stops_between_entries) {
    Sandbox box;
    write_sample(box.tarball(), ARCHIVE_FILTER_NONE, "payload");
    // The interrupt flag cannot be reset, so it is raised in a child.
    const pid_t pid = ::fork();
    BOOST_REQUIRE(pid >= 0);
    if (pid == 0) {
        vz::install_interrupt_handlers();
        ::raise(SIGINT);
        int status = 1;
        try {
            vz::unpack_template(box.tarball(), box.dest());
        } catch (const vz::Error &e) {
            const bool empty = fs::is_empty(box.dest());
            status = (e.code() == vz::VZ_SYSTEM_ERROR && empty) ? 0 : 2;
        }
        ::_exit(status);
    }
    int status = 0;
    BOOST_REQUIRE(::waitpid(pid, &status, 0) == pid);
    BOOST_TEST(WIFEXITED(status));
    BOOST_TEST(WEXITSTATUS(status) == 0);
}
