#define BOOST_TEST_MODULE storage_overlay
#include <boost/test/unit_test.hpp>

#include "conf_dir.h"

#include "vzkit/base/error.h"
#include "vzkit/storage/overlay.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <optional>
#include <string>

namespace fs = std::filesystem;

namespace {

// A config dir with one uncompressed template, tmpl.tar: ./, ./etc/hostname.
struct Store {
    vztest::ConfDir conf{"vzkit-overlay"};
    vz::CtConfig config = vz::CtConfig::load(101);
    fs::path priv() const { return conf.path() / "private" / "101"; }
    fs::path upper() const { return priv() / "upper"; }
    fs::path store() const { return conf.path() / "template" / "base"; }

    vz::TemplateSource tarball() const {
        const fs::path file = conf.path() / "template" / "cache" / "tmpl.tar";
        std::unique_ptr<archive, decltype(&archive_write_free)> out(archive_write_new(),
                                                                    archive_write_free);
        BOOST_REQUIRE(archive_write_set_format_pax_restricted(out.get()) == ARCHIVE_OK);
        BOOST_REQUIRE(archive_write_open_filename(out.get(), file.c_str()) == ARCHIVE_OK);
        auto add = [&](const char *name, mode_t type, const std::string &data) {
            std::unique_ptr<archive_entry, decltype(&archive_entry_free)> e(archive_entry_new(),
                                                                            archive_entry_free);
            archive_entry_set_pathname(e.get(), name);
            archive_entry_set_filetype(e.get(), type);
            archive_entry_set_perm(e.get(), type == AE_IFDIR ? 0755 : 0644);
            archive_entry_set_size(e.get(), static_cast<la_int64_t>(data.size()));
            BOOST_REQUIRE(archive_write_header(out.get(), e.get()) == ARCHIVE_OK);
            if (!data.empty())
                archive_write_data(out.get(), data.data(), data.size());
        };
        add("./", AE_IFDIR, "");
        add("./etc", AE_IFDIR, "");
        add("./etc/hostname", AE_IFREG, "ct101");
        BOOST_REQUIRE(archive_write_close(out.get()) == ARCHIVE_OK);
        return {file, "tmpl"};
    }

    // Written once: a tarball written again is a new version (a new base).
    void create() {
        if (!source)
            source = tarball();
        vz::kOverlayLayout.create(config, *source, [] {});
    }
    std::optional<vz::TemplateSource> source;
};

void expect_code(const std::function<void()> &action, int code) {
    try {
        action();
        BOOST_FAIL("no error");
    } catch (const vz::Error &e) {
        BOOST_TEST(e.code() == code, e.what());
    }
}

// Host files a container's root would aim its symlinks at.
struct Victim {
    vztest::TempDir dir{"vzkit-victim"};
    Victim() {
        fs::create_directories(dir.path / "sub");
        std::ofstream(dir.path / "big") << std::string(1 << 20, 'x');
        std::ofstream(dir.path / "sub" / "keep") << "keep";
    }
    bool intact() const {
        std::error_code ec;
        return fs::file_size(dir.path / "big", ec) == (1u << 20) &&
               fs::exists(dir.path / "sub" / "keep", ec);
    }
};

} // namespace

BOOST_AUTO_TEST_CASE(overlay_is_a_layout) {
    BOOST_TEST(&vz::find_layout("overlay") == &vz::kOverlayLayout);
    vz::CtConfig config;
    config.set_override("VE_LAYOUT", "overlay");
    BOOST_TEST(&vz::layout_of(config) == &vz::kOverlayLayout);
}

BOOST_AUTO_TEST_CASE(create_makes_a_base_and_a_private_area_of_changes_only) {
    Store s;
    s.create();
    BOOST_TEST(vz::kOverlayLayout.exists(s.config));
    const auto bases = vz::overlay_bases(s.config);
    BOOST_REQUIRE(bases.size() == 1);
    BOOST_TEST(bases[0].id.starts_with("tmpl-"));
    BOOST_TEST(bases[0].current);
    BOOST_TEST(bases[0].users.empty()); // no config names it: the commit wrote none
    struct stat st {};
    BOOST_REQUIRE(::stat(bases[0].dir.c_str(), &st) == 0);
    BOOST_TEST((st.st_mode & 07777) == 0700u);
    BOOST_TEST(st.st_uid == 0u);
    BOOST_TEST(fs::exists(bases[0].dir / "root" / "etc" / "hostname"));
    BOOST_TEST(fs::is_empty(s.upper()));
    BOOST_TEST(fs::is_directory(s.priv() / "work"));
    std::ifstream marker(s.priv() / "base");
    std::string id;
    marker >> id;
    BOOST_TEST(id == bases[0].id);
    // A second create from the same tarball uses the same base.
    vz::kOverlayLayout.destroy(s.config);
    BOOST_TEST(!fs::exists(s.priv()));
    s.create();
    BOOST_TEST(vz::overlay_bases(s.config).size() == 1u);
    // The tarball written again: a new base; the old one is stale.
    vz::kOverlayLayout.destroy(s.config);
    s.source.reset();
    s.create();
    const auto two = vz::overlay_bases(s.config);
    BOOST_REQUIRE(two.size() == 2u);
    BOOST_TEST(two[0].current != two[1].current);
    // gc: no config names it, nothing mounts it.
    vz::kOverlayLayout.destroy(s.config);
    BOOST_TEST(vz::overlay_gc(s.config).size() == 2u);
    BOOST_TEST(vz::overlay_bases(s.config).empty());
}

BOOST_AUTO_TEST_CASE(a_failed_commit_leaves_no_private_area) {
    Store s;
    BOOST_CHECK_THROW(vz::kOverlayLayout.create(s.config, s.tarball(),
                                                [] { throw vz::Error(vz::VZ_CP_CONFIG, "no"); }),
                      vz::Error);
    BOOST_TEST(!fs::exists(s.priv()));
    BOOST_TEST(!fs::exists(fs::path(s.priv().string() + ".tmp")));
    // The base is complete (made before): it stays for the next create.
    for (const auto &b : vz::overlay_bases(s.config))
        BOOST_TEST(fs::exists(b.dir / "info"));
}

BOOST_AUTO_TEST_CASE(usage_counts_the_upper_directory_and_follows_no_symlink) {
    Store s;
    Victim victim;
    s.create();
    const vz::StorageUsage empty = vz::kOverlayLayout.usage(s.config);
    BOOST_TEST(empty.inodes == 1u);
    // What a container's root can leave in its upper directory.
    fs::create_directories(s.upper() / "d");
    std::ofstream(s.upper() / "d" / "f") << std::string(8192, 'y');
    fs::create_hard_link(s.upper() / "d" / "f", s.upper() / "d" / "hard");
    fs::create_symlink(victim.dir.path, s.upper() / "to-dir");
    fs::create_symlink(victim.dir.path / "big", s.upper() / "d" / "to-big");
    fs::create_symlink("../../../../../../../../.." + victim.dir.path.string(),
                       s.upper() / "d" / "rel");
    const vz::StorageUsage u = vz::kOverlayLayout.usage(s.config);
    // /, d, f (its hard link once), three symlinks.
    BOOST_TEST(u.inodes == 6u);
    BOOST_TEST(u.bytes < 512u * 1024, "the 1 MB target was not counted: " << u.bytes);
    BOOST_TEST(u.bytes >= 8192u);
    vz::kOverlayLayout.destroy(s.config);
    BOOST_TEST(!fs::exists(s.priv()));
    BOOST_TEST(victim.intact());
}

// A tree deeper than the fd limit: measured and removed all the same.
BOOST_AUTO_TEST_CASE(a_very_deep_upper_directory) {
    Store s;
    Victim victim;
    s.create();
    int dir = ::open(s.upper().c_str(), O_RDONLY | O_DIRECTORY);
    BOOST_REQUIRE(dir >= 0);
    constexpr int kDepth = 2000; // above the usual 1024 fds
    for (int i = 0; i < kDepth; ++i) {
        BOOST_REQUIRE(::mkdirat(dir, "d", 0755) == 0);
        const int sub = ::openat(dir, "d", O_RDONLY | O_DIRECTORY);
        ::close(dir);
        BOOST_REQUIRE(sub >= 0);
        dir = sub;
    }
    BOOST_REQUIRE(::symlinkat(victim.dir.path.c_str(), dir, "escape") == 0);
    ::close(dir);
    const vz::StorageUsage u = vz::kOverlayLayout.usage(s.config);
    BOOST_TEST(u.inodes == kDepth + 2u);
    vz::kOverlayLayout.destroy(s.config);
    BOOST_TEST(!fs::exists(s.priv()));
    BOOST_TEST(victim.intact());
}

BOOST_AUTO_TEST_CASE(resize_and_snapshot_are_refused) {
    Store s;
    s.create();
    expect_code([&] { vz::kOverlayLayout.resize(s.config, 1 << 30); }, vz::VZ_PLOOP_UNSUP);
    expect_code([&] { vz::kOverlayLayout.snapshot(s.config, s.priv().parent_path() / "snap"); },
                vz::VZ_PLOOP_UNSUP);
    vz::kOverlayLayout.destroy(s.config);
}

BOOST_AUTO_TEST_CASE(a_private_area_without_marker_does_not_mount) {
    Store s;
    s.create();
    fs::remove(s.priv() / "base");
    fs::create_symlink("/etc/hostname", s.priv() / "base"); // not followed
    expect_code([&] { vz::kOverlayLayout.mount(s.config); }, vz::VZ_FS_NOPRVT);
    vz::kOverlayLayout.destroy(s.config);
}
