// vzquota's text and its quota file (vzkit/quota/format.h, quota.h): the time
// grammar of -e/-n, the grace column, stat/show's table and batch lines as
// OpenVZ's vzquota printed them (src/stat.c, src/common.c), and the quota
// file's failures: corrupt (4), missing (11), locked by another process (7).
// Nothing here needs project quota: a quota that is off never reaches the
// kernel, and one on a tmpfs tree must be refused (3) before anything changes.
#define BOOST_TEST_MODULE quota_format
#include "conf_dir.h"
#include "temp_dir.h"

#include "vzkit/quota/format.h"
#include "vzkit/quota/quota.h"

#include <boost/test/unit_test.hpp>

#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace q = vz::quota;
using vztest::code_of;

namespace {

constexpr std::uint64_t kMinute = 60, kHour = 3600, kDay = 86400;

// What parse_quota_time makes of text, printable: the seconds, or "rejected".
std::string t(const char *text) {
    const auto seconds = q::parse_quota_time(text);
    return seconds ? std::to_string(*seconds) : "rejected";
}
std::string s(std::uint64_t seconds) { return std::to_string(seconds); }

} // namespace

// --- the time grammar (-e, -n; OpenVZ's str2time) ----------------------------

BOOST_AUTO_TEST_CASE(time_in_seconds_and_clock_fields) {
    BOOST_TEST(t("0") == s(0u));
    BOOST_TEST(t("5") == s(5u));
    BOOST_TEST(t("600") == s(600u));
    BOOST_TEST(t("1000000") == s(1000000u)); // bare seconds have no bound
    BOOST_TEST(t("1:30") == s(90u));         // mm:ss
    BOOST_TEST(t("2:00:00") == s(2 * kHour)); // hh:mm:ss
    BOOST_TEST(t("1:02:03:04") == s(kDay + 2 * kHour + 3 * kMinute + 4)); // dd:hh:mm:ss
    BOOST_TEST(t("00:00:00:07") == s(7u));
    BOOST_TEST(t("400:00:00:00") == s(400 * kDay)); // days have no bound
    BOOST_TEST(t(" \t1:30") == s(90u));            // leading blanks are skipped
}

BOOST_AUTO_TEST_CASE(time_clock_fields_are_bounded_by_the_next) {
    BOOST_TEST(t("0:59") == s(59u));
    BOOST_TEST(t("0:60") == "rejected");
    BOOST_TEST(t("59:59") == s(59 * kMinute + 59));
    BOOST_TEST(t("60:00") == "rejected");
    BOOST_TEST(t("23:59:59") == s(kDay - 1));
    BOOST_TEST(t("24:00:00") == "rejected");
    BOOST_TEST(t("1:23:59:59") == s(2 * kDay - 1));
    BOOST_TEST(t("1:24:00:00") == "rejected");
    BOOST_TEST(t("0:0:60:0") == "rejected");
}

BOOST_AUTO_TEST_CASE(time_with_a_unit_letter) {
    BOOST_TEST(t("2h") == s(2 * kHour));
    BOOST_TEST(t("7d") == s(7 * kDay));
    BOOST_TEST(t("7D") == s(7 * kDay));
    BOOST_TEST(t("01w") == s(7 * kDay));
    BOOST_TEST(t("3m") == s(3 * 30 * kDay)); // a month is 30 days
    BOOST_TEST(t("1Y") == s(365 * kDay));
    BOOST_TEST(t("0d") == s(0u));
    BOOST_TEST(t(" 1w") == s(7 * kDay));
}

BOOST_AUTO_TEST_CASE(time_rejects) {
    for (const char *bad : {"", " ", "\t", "abc", "d", "7x", "7s", "1.5h", "1.5", "-1", "+1", "1 ",
                            "7d ", "1h30", "0x10", "1:2d", "1:2:3:4:5", "1::2", ":1", "1:", ":",
                            "1:-1", "1:a", "1 :30", "w1"})
        BOOST_TEST(t(bad) == "rejected", "'" << bad << "'");
}

BOOST_AUTO_TEST_CASE(time_that_overflows_is_rejected) {
    BOOST_TEST(t("18446744073709551615") == s(18446744073709551615u));
    BOOST_TEST(t("18446744073709551616") == "rejected");
    // 307445734561825861 minutes is 2^64 + 44 seconds: not 44 seconds.
    BOOST_TEST(t("307445734561825861:00") == "rejected");
    BOOST_TEST(t("213503982334602:00:00:00") == "rejected");
    BOOST_TEST(t("999999999999999999y") == "rejected");
    BOOST_TEST(t("213503982334602d") == "rejected");
    BOOST_TEST(t("213503982334601:23:59:59") == "rejected"); // the sum overflows
    BOOST_TEST(t("213503982334601:00:00:00") == s(213503982334601u * kDay));
}

// --- the grace column (OpenVZ's difftime2str with TF_ROUND) ------------------

BOOST_AUTO_TEST_CASE(grace_left_as_openvz_rounds_it) {
    const std::time_t now = 1'700'000'000;
    BOOST_TEST(q::grace_left(0, now) == "");         // no timer running
    BOOST_TEST(q::grace_left(now, now) == "none");   // the grace is over
    BOOST_TEST(q::grace_left(now - 100, now) == "none");
    BOOST_TEST(q::grace_left(now + 1, now) == "00:00");  // rounded to the minute
    BOOST_TEST(q::grace_left(now + 29, now) == "00:00");
    BOOST_TEST(q::grace_left(now + 30, now) == "00:01");
    BOOST_TEST(q::grace_left(now + 600, now) == "00:10");
    BOOST_TEST(q::grace_left(now + kHour + 5 * kMinute, now) == "01:05");
    BOOST_TEST(q::grace_left(now + kDay - kMinute, now) == "23:59");
    BOOST_TEST(q::grace_left(now + kDay - 1, now) == "1days"); // 23:59:59 rounds to a day
    BOOST_TEST(q::grace_left(now + 7 * kDay, now) == "7days");
    BOOST_TEST(q::grace_left(now + 7 * kDay + 23 * kHour, now) == "7days");
}

// --- stat/show's table and batch lines (OpenVZ's print_status) ---------------

namespace {

const std::time_t kNow = 1'700'000'000;

q::Report report(std::uint64_t kb, std::uint64_t inodes, q::ProjectLimits limits,
                 std::int64_t bexp = 0, std::int64_t iexp = 0) {
    q::Report r;
    r.file.limits.project = limits;
    r.file.limits.block_grace = 600;
    r.file.limits.inode_grace = 7 * kDay;
    r.bytes = kb * 1024;
    r.inodes = inodes;
    r.block_expires = bexp;
    r.inode_expires = iexp;
    return r;
}

// OpenVZ: printf("%11s %14s  %14s %14s %8s\n", ...) and
// printf("%11s %14u%c %14u %14u %8s\n", ...).
const std::string kHeader = "   resource          usage       softlimit      hardlimit    grace\n";

} // namespace

BOOST_AUTO_TEST_CASE(table_within_the_limits) {
    const auto r = report(1000, 10, {2000, 3000, 100, 110});
    BOOST_TEST(q::format_report(r, false, kNow) ==
               kHeader + "  1k-blocks           1000            2000           3000         \n"
                         "     inodes             10             100            110         \n");
}

BOOST_AUTO_TEST_CASE(table_marks_usage_over_a_limit_and_shows_the_grace) {
    const auto r = report(2500, 120, {2000, 3000, 100, 110}, kNow + 600, kNow - 1);
    BOOST_TEST(q::format_report(r, false, kNow) ==
               kHeader + "  1k-blocks           2500*           2000           3000    00:10\n"
                         "     inodes            120*            100            110     none\n");
}

BOOST_AUTO_TEST_CASE(table_at_the_soft_limit_is_not_over_it) {
    // usage == softlimit: no '*', and a timer the kernel kept is hidden.
    const auto r = report(2000, 100, {2000, 3000, 100, 110}, kNow + 600, kNow + 600);
    BOOST_TEST(q::format_report(r, false, kNow) ==
               kHeader + "  1k-blocks           2000            2000           3000         \n"
                         "     inodes            100             100            110         \n");
}

BOOST_AUTO_TEST_CASE(table_hides_a_timer_left_under_the_soft_limit) {
    const auto r = report(1500, 50, {2000, 3000, 100, 110}, kNow + 600, kNow - 10);
    const std::string out = q::format_report(r, false, kNow);
    BOOST_TEST(out.find("00:10") == std::string::npos);
    BOOST_TEST(out.find("none") == std::string::npos);
    BOOST_TEST(out.find('*') == std::string::npos);
}

BOOST_AUTO_TEST_CASE(table_over_a_hard_limit_alone) {
    // No soft limit: over the hard one is marked, there is no timer.
    const auto r = report(4000, 5, {0, 3000, 0, 0});
    BOOST_TEST(q::format_report(r, false, kNow) ==
               kHeader + "  1k-blocks           4000*              0           3000         \n"
                         "     inodes              5               0              0         \n");
}

BOOST_AUTO_TEST_CASE(table_rounds_bytes_up_to_kilobytes_as_openvz) {
    // OpenVZ's ker2block: (bytes + 1023) >> 10, so 1 byte over 2000 KB is
    // 2001 KB and over the soft limit.
    auto r = report(0, 1, {2000, 3000, 0, 0}, kNow + 90);
    r.bytes = 2000 * 1024 + 1;
    BOOST_TEST(q::format_report(r, false, kNow) ==
               kHeader + "  1k-blocks           2001*           2000           3000    00:02\n"
                         "     inodes              1               0              0         \n");
    r.bytes = 1;
    BOOST_TEST(q::format_report(r, true, kNow).starts_with("             1 "));
}

BOOST_AUTO_TEST_CASE(batch_is_usage_soft_hard_timer_grace) {
    // OpenVZ: printf("%14u %14u %14u %14lu %14lu\n", usage, soft, hard, time, expire);
    // no header, no '*', the timer as seconds since the epoch (0 when hidden).
    const auto r = report(2500, 50, {2000, 3000, 100, 110}, kNow + 600, kNow + 99);
    BOOST_TEST(q::format_report(r, true, kNow) ==
               "          2500           2000           3000     1700000600            600\n"
               "            50            100            110              0         604800\n");
}

BOOST_AUTO_TEST_CASE(batch_with_nothing_set) {
    q::Report r;
    BOOST_TEST(q::format_report(r, true, kNow) ==
               "             0              0              0              0              0\n"
               "             0              0              0              0              0\n");
}

// --- the quota file ------------------------------------------------------------

namespace {

// VZQUOTA_DIR in a temp dir for one test.
class QuotaDir {
  public:
    QuotaDir() : dir_("vzkit-vzquota") { ::setenv("VZQUOTA_DIR", dir_.path.c_str(), 1); }
    ~QuotaDir() { ::unsetenv("VZQUOTA_DIR"); }
    QuotaDir(const QuotaDir &) = delete;
    QuotaDir &operator=(const QuotaDir &) = delete;
    const std::filesystem::path &path() const { return dir_.path; }
    std::filesystem::path file(unsigned id) const { return path() / ("quota." + std::to_string(id)); }
    void write(unsigned id, const std::string &text) const {
        std::ofstream(file(id), std::ios::binary | std::ios::trunc) << text;
    }
    std::string read(unsigned id) const {
        std::ifstream in(file(id), std::ios::binary);
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    }

  private:
    vztest::TempDir dir_;
};

// A quota file as the library writes it, with one key's line replaced
// ("KEY" alone drops the key).
std::string quota_text(const std::string &tree, const std::string &state = "off",
                       const std::string &dirty = "no") {
    return "# vzquota state of quota id 101\n"
           "VERSION=\"1\"\nPATH=\"" + tree + "\"\nSTATE=\"" + state + "\"\nDIRTY=\"" + dirty +
           "\"\n"
           "BLOCK_SOFTLIMIT=\"1000\"\nBLOCK_HARDLIMIT=\"1100\"\n"
           "INODE_SOFTLIMIT=\"100\"\nINODE_HARDLIMIT=\"110\"\n"
           "BLOCK_GRACE=\"600\"\nINODE_GRACE=\"0\"\n"
           "USAGE_BYTES=\"40960\"\nUSAGE_INODES=\"7\"\nUGID_LIMIT=\"0\"\n";
}

std::string with_line(std::string text, const std::string &key, const std::string &line) {
    const auto at = text.find("\n" + key + "=");
    BOOST_REQUIRE(at != std::string::npos);
    const auto end = text.find('\n', at + 1);
    text.replace(at + 1, end - at - 1, line);
    return text;
}

} // namespace

BOOST_AUTO_TEST_CASE(quota_file_reads_back) {
    QuotaDir dir;
    dir.write(101, quota_text("/vz/private/101", "on", "yes"));
    const q::QuotaFile f = q::read_quota_file(101);
    BOOST_TEST(f.id == 101u);
    BOOST_TEST(f.path == "/vz/private/101");
    BOOST_TEST(f.on);
    BOOST_TEST(f.dirty);
    BOOST_TEST((f.limits.project == q::ProjectLimits{1000, 1100, 100, 110}));
    BOOST_TEST(f.limits.block_grace == 600u);
    BOOST_TEST(f.limits.inode_grace == 0u);
    BOOST_TEST(f.bytes == 40960u);
    BOOST_TEST(f.inodes == 7u);
    BOOST_TEST(q::quota_file_path(101) == dir.file(101));
}

BOOST_AUTO_TEST_CASE(a_corrupt_quota_file_is_exit_4) {
    QuotaDir dir;
    const std::string good = quota_text("/vz/private/101");
    // OpenVZ's own binary file (magic 0xFEDCBC27, flags, then vz_quota_stat).
    const std::string openvz("\x27\xbc\xdc\xfe\x01\x00\x00\x00\x00\x10\x00\x00\x00\x00\x00\x00", 16);
    const std::vector<std::string> corrupt = {
        "",
        "garbage\n",
        openvz,
        with_line(good, "VERSION", "VERSION=\"2\""),
        with_line(good, "VERSION", "#"),
        with_line(good, "PATH", "PATH=\"vz/private/101\""),
        with_line(good, "PATH", "PATH=\"\""),
        with_line(good, "STATE", "STATE=\"running\""),
        with_line(good, "DIRTY", "#"),
        with_line(good, "BLOCK_SOFTLIMIT", "BLOCK_SOFTLIMIT=\"10x\""),
        with_line(good, "BLOCK_HARDLIMIT", "BLOCK_HARDLIMIT=\"-1\""),
        with_line(good, "INODE_HARDLIMIT", "INODE_HARDLIMIT=\"18446744073709551616\""),
        with_line(good, "USAGE_BYTES", "#"),
        with_line(good, "UGID_LIMIT", "UGID_LIMIT=\"4294967296\""),
    };
    for (std::size_t i = 0; i < corrupt.size(); ++i) {
        dir.write(101, corrupt[i]);
        BOOST_TEST(code_of([] { q::read_quota_file(101); }) == q::kExitQuotaFile, "case " << i);
        BOOST_TEST(code_of([] { q::show(101); }) == q::kExitQuotaFile, "case " << i);
        BOOST_TEST(code_of([] { q::setlimit(101, {}); }) == q::kExitQuotaFile, "case " << i);
        BOOST_TEST(dir.read(101) == corrupt[i], "case " << i << ": the file is left as it was");
    }
}

BOOST_AUTO_TEST_CASE(a_quota_file_that_cannot_be_read_is_exit_4) {
    QuotaDir dir;
    std::filesystem::create_directory(dir.file(101)); // not a file at all
    BOOST_TEST(code_of([] { q::read_quota_file(101); }) == q::kExitQuotaFile);
    BOOST_TEST(code_of([] { q::show(101); }) == q::kExitQuotaFile);
    BOOST_TEST(code_of([] { q::stat(101); }) == q::kExitQuotaFile);
}

BOOST_AUTO_TEST_CASE(a_missing_quota_file_is_exit_11) {
    QuotaDir dir;
    BOOST_TEST(!q::quota_file_exists(101));
    BOOST_TEST(code_of([] { q::read_quota_file(101); }) == q::kExitNoQuotaFile);
    BOOST_TEST(code_of([] { q::show(101); }) == q::kExitNoQuotaFile);
    BOOST_TEST(code_of([] { q::stat(101); }) == q::kExitNoQuotaFile);
    BOOST_TEST(code_of([] { q::on(101, std::nullopt, {}, false); }) == q::kExitNoQuotaFile);
    BOOST_TEST(code_of([] { q::off(101, false); }) == q::kExitNoQuotaFile);
    BOOST_TEST(code_of([] { q::setlimit(101, {}); }) == q::kExitNoQuotaFile);
    BOOST_TEST(code_of([] { q::drop(101, false); }) == q::kExitNoQuotaFile);
    BOOST_TEST(!std::filesystem::exists(dir.file(101)));
}

namespace {

// Another process holding quota.<id>.lck, as a running vzquota does, until
// the object goes.
class LockHolder {
  public:
    explicit LockHolder(const std::filesystem::path &lock) {
        int ready[2], done[2];
        BOOST_REQUIRE(::pipe(ready) == 0 && ::pipe(done) == 0);
        pid_ = ::fork();
        BOOST_REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            ::close(ready[0]);
            ::close(done[1]);
            const int fd = ::open(lock.c_str(), O_RDWR | O_CREAT, 0600);
            const char ok = fd >= 0 && ::flock(fd, LOCK_EX | LOCK_NB) == 0 ? 'y' : 'n';
            (void)!::write(ready[1], &ok, 1);
            char c;
            (void)!::read(done[0], &c, 1); // until the parent closes its end
            ::_exit(0);
        }
        ::close(ready[1]);
        ::close(done[0]);
        done_ = done[1];
        char ok = 'n';
        BOOST_REQUIRE(::read(ready[0], &ok, 1) == 1);
        ::close(ready[0]);
        BOOST_REQUIRE(ok == 'y');
    }
    ~LockHolder() {
        ::close(done_);
        int status = 0;
        ::waitpid(pid_, &status, 0);
    }
    LockHolder(const LockHolder &) = delete;
    LockHolder &operator=(const LockHolder &) = delete;

  private:
    pid_t pid_ = -1;
    int done_ = -1;
};

} // namespace

BOOST_AUTO_TEST_CASE(a_quota_locked_by_another_process_is_exit_7) {
    QuotaDir dir;
    const std::string text = quota_text("/vz/private/101");
    dir.write(101, text);
    {
        LockHolder holder(dir.path() / "quota.101.lck");
        q::LimitChanges more;
        more.block_hard = 5000;
        BOOST_TEST(code_of([&] { q::setlimit(101, more); }) == q::kExitLock);
        BOOST_TEST(code_of([] { q::on(101, std::nullopt, {}, false); }) == q::kExitLock);
        BOOST_TEST(code_of([] { q::off(101, true); }) == q::kExitLock);
        BOOST_TEST(code_of([] { q::drop(101, true); }) == q::kExitLock);
        BOOST_TEST(dir.read(101) == text, "nothing was written under another's lock");
        // Reading needs no lock.
        BOOST_TEST(code_of([] { q::show(101); }) == 0);
    }
    // Once the other process is gone, the same call goes through.
    q::LimitChanges more;
    more.block_hard = 5000;
    BOOST_TEST(code_of([&] { q::setlimit(101, more); }) == 0);
    BOOST_TEST(q::read_quota_file(101).limits.project.block_hard == 5000u);
}

BOOST_AUTO_TEST_CASE(setlimit_on_a_quota_that_is_off_changes_the_file_only) {
    QuotaDir dir;
    dir.write(101, quota_text("/nonexistent/tree"));
    q::LimitChanges c;
    c.block_soft = 2000;
    c.block_hard = 2200;
    c.inode_grace = 3600;
    const q::Report r = q::setlimit(101, c);
    BOOST_TEST(r.bytes == 40960u); // the file's last usage: nothing asked the kernel
    const q::QuotaFile f = q::read_quota_file(101);
    BOOST_TEST((f.limits.project == q::ProjectLimits{2000, 2200, 100, 110}));
    BOOST_TEST(f.limits.block_grace == 600u);
    BOOST_TEST(f.limits.inode_grace == 3600u);
    BOOST_TEST(!f.on);
    BOOST_TEST(q::show(101).file.limits.project.block_soft == 2000u);
    // Not running: stat and off say so.
    BOOST_TEST(code_of([] { q::stat(101); }) == q::kExitNotRunning);
    BOOST_TEST(code_of([] { q::off(101, false); }) == q::kExitNotRunning);
}

BOOST_AUTO_TEST_CASE(limits_the_kernel_cannot_hold_are_usage_errors) {
    QuotaDir dir;
    const std::string text = quota_text("/nonexistent/tree");
    dir.write(101, text);
    q::LimitChanges below;
    below.block_hard = 999; // under the soft limit of 1000
    BOOST_TEST(code_of([&] { q::setlimit(101, below); }) == q::kExitUsage);
    q::LimitChanges inodes_below;
    inodes_below.inode_hard = 99;
    BOOST_TEST(code_of([&] { q::setlimit(101, inodes_below); }) == q::kExitUsage);
    // The kernel keeps a grace period in 32 bits (ext4's and XFS's alike):
    // 2^32 + 5 seconds would silently become 5.
    q::LimitChanges long_grace;
    long_grace.block_grace = 4294967296ull + 5;
    BOOST_TEST(code_of([&] { q::setlimit(101, long_grace); }) == q::kExitUsage);
    long_grace.block_grace.reset();
    long_grace.inode_grace = 4294967296ull;
    BOOST_TEST(code_of([&] { q::setlimit(101, long_grace); }) == q::kExitUsage);
    BOOST_TEST(dir.read(101) == text);
    q::LimitChanges longest;
    longest.block_grace = 4294967295ull;
    BOOST_TEST(code_of([&] { q::setlimit(101, longest); }) == 0);
}

namespace {

bool on_tmpfs(const std::filesystem::path &dir) {
    struct statfs sfs {};
    return ::statfs(dir.c_str(), &sfs) == 0 && sfs.f_type == TMPFS_MAGIC;
}

} // namespace

BOOST_AUTO_TEST_CASE(on_without_project_quota_is_exit_3_and_changes_nothing) {
    const std::filesystem::path shm = "/dev/shm";
    if (!on_tmpfs(shm)) {
        BOOST_TEST_MESSAGE("skipped: /dev/shm is not a tmpfs");
        return;
    }
    QuotaDir dir;
    char templ[] = "/dev/shm/vzkit-quota-XXXXXX";
    BOOST_REQUIRE(::mkdtemp(templ) != nullptr);
    const std::filesystem::path tree = templ;
    std::filesystem::create_symlink("target", tree / "link");
    // Dirty: a rescan is due, and must not start on a file system that
    // cannot hold the quota.
    const std::string text = quota_text(tree.string(), "off", "yes");
    dir.write(101, text);
    struct stat before {};
    BOOST_REQUIRE(::lstat((tree / "link").c_str(), &before) == 0);
    int code = 0;
    std::string message;
    try {
        q::on(101, std::nullopt, {}, false);
    } catch (const vz::Error &e) {
        code = e.code();
        message = e.what();
    }
    BOOST_TEST(code == q::kExitKernel);
    BOOST_TEST(message.find(tree.string()) != std::string::npos, message);
    BOOST_TEST(message.find('\n') == std::string::npos, message);
    BOOST_TEST(dir.read(101) == text);
    struct stat after {};
    BOOST_REQUIRE(::lstat((tree / "link").c_str(), &after) == 0);
    BOOST_TEST(after.st_ino == before.st_ino, "the symlink was not re-created");
    BOOST_TEST(std::distance(std::filesystem::directory_iterator(tree),
                             std::filesystem::directory_iterator()) == 1);
    std::filesystem::remove_all(tree);
}

BOOST_AUTO_TEST_CASE(init_without_project_quota_leaves_nothing) {
    const std::filesystem::path shm = "/dev/shm";
    if (!on_tmpfs(shm)) {
        BOOST_TEST_MESSAGE("skipped: /dev/shm is not a tmpfs");
        return;
    }
    QuotaDir dir;
    char templ[] = "/dev/shm/vzkit-quota-XXXXXX";
    BOOST_REQUIRE(::mkdtemp(templ) != nullptr);
    const std::filesystem::path tree = templ;
    q::Limits limits;
    limits.project = {1000, 1100, 100, 110};
    BOOST_TEST(code_of([&] { q::init(101, tree, limits); }) == q::kExitKernel);
    BOOST_TEST(std::filesystem::is_empty(dir.path()), "no quota file, no lock file");
    std::filesystem::remove_all(tree);
}
