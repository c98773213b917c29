#define BOOST_TEST_MODULE storage
#include <boost/test/unit_test.hpp>

#include "temp_dir.h"

#include "vzkit/ct/state.h"
#include "vzkit/base/mount_table.h"
#include "vzkit/base/util.h"
#include "vzkit/storage/mounts.h"
#include "vzkit/base/error.h"
#include "vzkit/storage/layout.h"
#include "vzkit/base/ct_config.h"

#include <archive.h>
#include <archive_entry.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>

namespace fs = std::filesystem;

namespace {

void expect_error(const std::function<void()> &action, int code, const std::string &message) {
    try {
        action();
        BOOST_FAIL("no error");
    } catch (const vz::Error &e) {
        BOOST_TEST(e.code() == code);
        BOOST_TEST(std::string(e.what()).find(message) != std::string::npos, e.what());
    }
}

// A container whose VE_PRIVATE and VE_ROOT are in a scratch directory.
struct Scratch {
    vztest::TempDir dir{"vzkit-storage"};
    vz::CtConfig config;
    Scratch() {
        config.set_override("VE_PRIVATE", (dir.path / "private" / "101").string());
        config.set_override("VE_ROOT", (dir.path / "root" / "101").string());
    }
    fs::path priv() const { return dir.path / "private" / "101"; }
    fs::path root() const { return dir.path / "root" / "101"; }

    // An uncompressed template: ./, ./etc/hostname (5 bytes), ./etc/link
    // (a hard link to it).
    vz::TemplateSource tarball() const {
        const fs::path file = dir.path / "tmpl.tar";
        std::unique_ptr<archive, decltype(&archive_write_free)> out(archive_write_new(),
                                                                    archive_write_free);
        BOOST_REQUIRE(archive_write_set_format_pax_restricted(out.get()) == ARCHIVE_OK);
        BOOST_REQUIRE(archive_write_open_filename(out.get(), file.c_str()) == ARCHIVE_OK);
        auto add = [&](const char *name, mode_t type, const std::string &data,
                       const char *hardlink = nullptr) {
            std::unique_ptr<archive_entry, decltype(&archive_entry_free)> e(archive_entry_new(),
                                                                            archive_entry_free);
            archive_entry_set_pathname(e.get(), name);
            archive_entry_set_filetype(e.get(), type);
            archive_entry_set_perm(e.get(), type == AE_IFDIR ? 0755 : 0644);
            archive_entry_set_size(e.get(), static_cast<la_int64_t>(data.size()));
            if (hardlink) {
                archive_entry_set_hardlink(e.get(), hardlink);
                archive_entry_set_size(e.get(), 0);
            }
            BOOST_REQUIRE(archive_write_header(out.get(), e.get()) == ARCHIVE_OK);
            if (!data.empty() && !hardlink)
                archive_write_data(out.get(), data.data(), data.size());
        };
        add("./", AE_IFDIR, "");
        add("./etc", AE_IFDIR, "");
        add("./etc/hostname", AE_IFREG, "ct101");
        add("./etc/link", AE_IFREG, "", "./etc/hostname");
        BOOST_REQUIRE(archive_write_close(out.get()) == ARCHIVE_OK);
        return {file, "tmpl"};
    }
};

std::string read(const fs::path &path) {
    std::ifstream in(path);
    return {std::istreambuf_iterator<char>(in), {}};
}

} // namespace

// ---- choosing the layout -----------------------------------------------------

BOOST_AUTO_TEST_CASE(simfs_is_the_default_and_the_first) {
    BOOST_REQUIRE(!vz::layouts().empty());
    BOOST_TEST(vz::layouts().front() == &vz::kSimfsLayout);
    BOOST_TEST(&vz::find_layout("simfs") == &vz::kSimfsLayout);
    vz::CtConfig config;
    BOOST_TEST(&vz::layout_of(config) == &vz::kSimfsLayout);
    config.set_override("VE_LAYOUT", "");
    BOOST_TEST(&vz::layout_of(config) == &vz::kSimfsLayout);
    config.set_override("VE_LAYOUT", "simfs");
    BOOST_TEST(&vz::layout_of(config) == &vz::kSimfsLayout);
}

// The refusal vzctl create --layout has always given.
BOOST_AUTO_TEST_CASE(any_other_layout_is_refused_as_ploop_unsupported) {
    expect_error([] { vz::find_layout("ploop"); }, vz::VZ_PLOOP_UNSUP,
                 "Layout ploop is not supported; use simfs");
    vz::CtConfig config;
    config.set_override("VE_LAYOUT", "ploop");
    expect_error([&] { vz::layout_of(config); }, vz::VZ_PLOOP_UNSUP,
                 "Layout ploop is not supported; use simfs");
}

// ---- simfs on a scratch directory (no mounts) ----------------------------------

BOOST_AUTO_TEST_CASE(simfs_creates_from_a_template_then_commits) {
    Scratch s;
    const vz::Layout &simfs = vz::kSimfsLayout;
    BOOST_TEST(!simfs.exists(s.config));
    bool committed = false;
    simfs.create(s.config, s.tarball(), [&] {
        // Ready beside its place, not yet in it: killed here, the config
        // is left without a private area, which create and destroy handle.
        BOOST_TEST(fs::is_directory(s.priv().string() + ".tmp"));
        BOOST_TEST(!fs::exists(s.priv()));
        committed = true;
    });
    BOOST_TEST(committed);
    BOOST_TEST(simfs.exists(s.config));
    BOOST_TEST(read(s.priv() / "etc" / "hostname") == "ct101");
    BOOST_TEST(!fs::exists(s.priv().string() + ".tmp"));
}

BOOST_AUTO_TEST_CASE(simfs_leaves_nothing_when_the_commit_fails) {
    Scratch s;
    BOOST_CHECK_THROW(vz::kSimfsLayout.create(s.config, s.tarball(),
                                              [] { throw std::runtime_error("disk full"); }),
                      std::runtime_error);
    BOOST_TEST(!fs::exists(s.priv()));
    BOOST_TEST(!fs::exists(s.priv().string() + ".tmp"));
}

BOOST_AUTO_TEST_CASE(simfs_leaves_nothing_when_the_template_is_bad) {
    Scratch s;
    std::ofstream(s.dir.path / "bad.tar") << "not a tarball at all, not even close to one";
    BOOST_CHECK_THROW(vz::kSimfsLayout.create(s.config, {s.dir.path / "bad.tar", "bad"}, [] {}),
                      vz::Error);
    BOOST_TEST(!fs::exists(s.priv()));
    BOOST_TEST(!fs::exists(s.priv().string() + ".tmp"));
}

BOOST_AUTO_TEST_CASE(simfs_usage_counts_every_inode_once) {
    Scratch s;
    vz::kSimfsLayout.create(s.config, s.tarball(), [] {});
    const auto usage = vz::kSimfsLayout.usage(s.config);
    BOOST_TEST(usage.inodes == 3U); // ./, etc, hostname (= link)
    BOOST_TEST(usage.bytes > 0U);
    fs::remove_all(s.priv());
    expect_error([&] { vz::kSimfsLayout.usage(s.config); }, vz::VZ_FS_NOPRVT, "does not exist");
}

BOOST_AUTO_TEST_CASE(simfs_destroy_removes_the_private_area) {
    Scratch s;
    BOOST_CHECK_NO_THROW(vz::kSimfsLayout.destroy(s.config)); // none yet: nothing to do
    vz::kSimfsLayout.create(s.config, s.tarball(), [] {});
    vz::kSimfsLayout.destroy(s.config);
    BOOST_TEST(!fs::exists(s.priv()));
    BOOST_TEST(fs::is_empty(s.dir.path / "private")); // no *.destroyed-<pid> left either
}

// A symlinked private area: the link goes, what it points at stays.
BOOST_AUTO_TEST_CASE(simfs_destroy_removes_a_symlink_not_its_target) {
    Scratch s;
    fs::create_directories(s.dir.path / "elsewhere");
    fs::create_directories(s.priv().parent_path());
    fs::create_directory_symlink(s.dir.path / "elsewhere", s.priv());
    vz::kSimfsLayout.destroy(s.config);
    BOOST_TEST(!fs::exists(fs::symlink_status(s.priv())));
    BOOST_TEST(fs::is_directory(s.dir.path / "elsewhere"));
}

BOOST_AUTO_TEST_CASE(simfs_cannot_resize_or_snapshot) {
    Scratch s;
    expect_error([&] { vz::kSimfsLayout.resize(s.config, 1ULL << 30); }, vz::VZ_PLOOP_UNSUP,
                 "simfs cannot resize");
    expect_error([&] { vz::kSimfsLayout.snapshot(s.config, s.dir.path / "snap"); },
                 vz::VZ_PLOOP_UNSUP, "simfs cannot take snapshots");
}

// Bind mounts (host tests run as root), in a mount namespace of this test's
// own so that nothing can leak to the host.
BOOST_AUTO_TEST_CASE(simfs_mounts_and_unmounts_as_root) {
    BOOST_TEST_REQUIRE(geteuid() == 0U);
    BOOST_TEST_REQUIRE(unshare(CLONE_NEWNS) == 0);
    BOOST_TEST_REQUIRE(mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0);
    Scratch s;
    vz::kSimfsLayout.create(s.config, s.tarball(), [] {});
    vz::kSimfsLayout.mount(s.config); // creates VE_ROOT
    BOOST_TEST(vz::is_mounted(s.config));
    BOOST_TEST(read(s.root() / "etc" / "hostname") == "ct101");
    fs::create_directories(s.root() / "proc");
    BOOST_REQUIRE(mount("tmpfs", (s.root() / "proc").c_str(), "tmpfs", 0, nullptr) == 0);
    vz::kSimfsLayout.umount(s.config); // the submount first, then VE_ROOT
    BOOST_TEST(!vz::is_mounted(s.config));
    BOOST_TEST(!vz::is_mount_point(s.root() / "proc"));
}

// What listmount/statmount give (where the kernel has them) is what
// mountinfo says about the same mounts; umount_below takes every one down,
// one stacked on VE_ROOT included.
BOOST_AUTO_TEST_CASE(mount_table_agrees_with_mountinfo_and_umount_below_empties_it) {
    BOOST_TEST_REQUIRE(geteuid() == 0U);
    BOOST_TEST_REQUIRE(unshare(CLONE_NEWNS) == 0);
    BOOST_TEST_REQUIRE(mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0);
    vztest::TempDir dir{"vzkit-mounts"};
    const fs::path top = fs::canonical(dir.path);
    BOOST_REQUIRE(mount("tmpfs", top.c_str(), "tmpfs", 0, "mode=700") == 0);
    fs::create_directories(top / "a" / "b");
    fs::create_directories(top / "c d");
    BOOST_REQUIRE(mount("tmpfs", (top / "a").c_str(), "tmpfs", 0, "size=1m") == 0);
    fs::create_directories(top / "a" / "b");
    BOOST_REQUIRE(mount("tmpfs", (top / "a" / "b").c_str(), "tmpfs", 0, nullptr) == 0);
    BOOST_REQUIRE(mount("tmpfs", (top / "c d").c_str(), "tmpfs", 0, nullptr) == 0);
    if (auto below = vz::mounts_at_and_below(top)) {
        std::vector<std::string> points, expected;
        for (const auto &m : *below) {
            points.push_back(m.mount_point + " " + m.fs_type + " " + m.major_minor);
            if (m.mount_point == (top / "a").string())
                BOOST_TEST(m.super_options.find("size=1024k") != std::string::npos,
                           m.super_options);
        }
        for (const auto &m : vz::parse_mountinfo(vz::read_file("/proc/self/mountinfo").value_or("")))
            if (m.mount_point == top.string() || m.mount_point.starts_with(top.string() + "/"))
                expected.push_back(m.mount_point + " " + m.fs_type + " " + m.major_minor);
        std::ranges::sort(points);
        std::ranges::sort(expected);
        BOOST_TEST(points == expected, boost::test_tools::per_element());
        BOOST_TEST(below->front().mount_point == top.string());
    } else {
        BOOST_TEST_MESSAGE("no listmount/statmount in this kernel: mountinfo is read instead");
    }
    // One level only: a, "c d" (and not a/b), in mount order; a symlink to a
    // mount is not listed twice.
    fs::create_symlink("a", top / "link");
    if (auto direct = vz::mounts_at_and_directly_below(top)) {
        std::vector<std::string> points;
        for (const auto &m : *direct)
            points.push_back(m.mount_point);
        const std::vector<std::string> expected = {top.string(), (top / "a").string(),
                                                   (top / "c d").string()};
        BOOST_TEST(points == expected, boost::test_tools::per_element());
    }
    // A second tmpfs stacked on top: umount_below must take both down.
    BOOST_REQUIRE(mount("tmpfs", top.c_str(), "tmpfs", 0, nullptr) == 0);
    fs::create_directories(top / "e");
    BOOST_REQUIRE(mount("tmpfs", (top / "e").c_str(), "tmpfs", 0, nullptr) == 0);
    vz::umount_below(top);
    BOOST_TEST(!vz::is_mount_point(top));
    BOOST_TEST(!vz::is_mount_point(top / "a"));
}
