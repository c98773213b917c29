// vzkillall's core against live processes: killall's name rules (15-character
// comm, argv[0], executable paths, zombies), the scope and cgroup checks on a
// fake container, and a pid reused between listing and signal — the reused
// pid's new owner, same name and all, must survive. Needs root; CTID 2598.
#define BOOST_TEST_MODULE test_proc_kill
#include <boost/test/unit_test.hpp>

#include "test_proc_fakect.h"

#include "vzkit/base/fd.h"
#include "vzkit/proc/kill.h"
#include "vzkit/proc/table.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

namespace {

namespace fs = std::filesystem;
using vz::KillScope;
using vz::SignalOutcome;

constexpr vz::Ctid kFakeCtid = 2598;
constexpr const char *kLongName = "averyveryverylongname"; // comm keeps "averyveryverylo"

struct TempDir {
    TempDir() {
        char pattern[] = "/tmp/vzkit-prockill.XXXXXX";
        BOOST_REQUIRE(::mkdtemp(pattern));
        path = pattern;
    }
    ~TempDir() { fs::remove_all(path); }
    fs::path path;
};

// A copy of sleep(1) under a long name, running; killed and reaped at the end.
class LongNamedSleep {
  public:
    explicit LongNamedSleep(const fs::path &dir) : exe_(dir / kLongName) {
        fs::copy_file("/bin/sleep", exe_);
        fs::permissions(exe_, fs::perms::owner_all);
        pid_ = ::fork();
        if (pid_ == 0) {
            ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
            ::execl(exe_.c_str(), kLongName, "1000", nullptr);
            ::_exit(127);
        }
        // Until exec has replaced the comm.
        for (int i = 0; i < 500 && vztest::FakeCt::comm(pid_) != "averyveryverylo"; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ~LongNamedSleep() {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
    pid_t pid() const { return pid_; }
    const fs::path &exe() const { return exe_; }

  private:
    fs::path exe_;
    pid_t pid_ = -1;
};

// A child named by prctl, paused until killed.
pid_t spawn_named(const char *name) {
    int ready[2];
    BOOST_REQUIRE(::pipe(ready) == 0);
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::prctl(PR_SET_NAME, name, 0, 0, 0);
        ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        (void)!::write(ready[1], "x", 1);
        for (;;)
            ::pause();
    }
    char c;
    (void)!::read(ready[0], &c, 1);
    ::close(ready[0]);
    ::close(ready[1]);
    return pid;
}

bool alive(pid_t pid) {
    // Our own children: a zombie counts as dead.
    return ::waitpid(pid, nullptr, WNOHANG) == 0;
}

vz::ProcEntry entry_of(vz::ProcReader &reader, pid_t pid) {
    auto entry = reader.read(pid);
    BOOST_REQUIRE(entry);
    return *entry;
}

bool matches(vz::ProcReader &reader, pid_t pid, vz::NamePattern pattern) {
    std::string scratch;
    return vz::entry_matches(reader, pattern, entry_of(reader, pid), scratch);
}

} // namespace

BOOST_AUTO_TEST_CASE(scopes) {
    const KillScope everything{};
    const KillScope host{KillScope::Kind::Host, {}};
    const KillScope all_cts{KillScope::Kind::AllCts, {}};
    const KillScope some{KillScope::Kind::Cts, {101, 103}};
    BOOST_TEST(everything.contains(0));
    BOOST_TEST(everything.contains(7));
    BOOST_TEST(host.contains(0));
    BOOST_TEST(!host.contains(101));
    BOOST_TEST(!all_cts.contains(0));
    BOOST_TEST(all_cts.contains(101));
    BOOST_TEST(some.contains(103));
    BOOST_TEST(!some.contains(102));
    BOOST_TEST(!some.contains(0));
}

BOOST_AUTO_TEST_CASE(names_by_comm_alone) {
    using vz::name_matches_by_comm;
    BOOST_TEST(name_matches_by_comm({"sleep"}, "sleep").value());
    BOOST_TEST(!name_matches_by_comm({"sleep"}, "sleeper").value());
    BOOST_TEST(!name_matches_by_comm({"Sleep"}, "sleep").value());
    BOOST_TEST(name_matches_by_comm({"Sleep", false, true}, "sleep").value());
    // Long names: a different first 15 characters settles it, the same needs more.
    BOOST_TEST(!name_matches_by_comm({kLongName}, "averyveryveryXX").value());
    BOOST_TEST(!name_matches_by_comm({kLongName}, "averyveryverylo"));
    BOOST_TEST(!name_matches_by_comm({"/bin/sleep"}, "sleep")); // paths need the exe
}

BOOST_AUTO_TEST_CASE(long_names_paths_and_zombies) {
    TempDir dir;
    LongNamedSleep child(dir.path);
    vz::ProcReader reader({.ctid = true});
    reader.refresh_cts();
    BOOST_TEST(matches(reader, child.pid(), {kLongName}));
    BOOST_TEST(matches(reader, child.pid(), {"AVERYveryverylongname", false, true}));
    BOOST_TEST(matches(reader, child.pid(), {"averyveryverylo"})); // the comm itself
    BOOST_TEST(!matches(reader, child.pid(), {"averyveryverylongnameX"}));
    BOOST_TEST(matches(reader, child.pid(), {child.exe().string()}));
    BOOST_TEST(!matches(reader, child.pid(), {"/bin/sleep"}));

    // A zombie has no command line left: killall falls back to the 15
    // characters unless -e.
    ::kill(child.pid(), SIGKILL);
    for (int i = 0; i < 500 && entry_of(reader, child.pid()).stat.state != 'Z'; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    BOOST_REQUIRE(entry_of(reader, child.pid()).stat.state == 'Z');
    BOOST_TEST(matches(reader, child.pid(), {kLongName}));
    BOOST_TEST(!matches(reader, child.pid(), {kLongName, true}));
}

BOOST_AUTO_TEST_CASE(signal_reaches_a_checked_process) {
    const pid_t pid = spawn_named("prockill-a");
    vz::ProcReader reader({.ctid = true});
    reader.refresh_cts();
    const auto entry = entry_of(reader, pid);
    auto result = vz::signal_checked(reader, entry, {"prockill-a"}, {}, SIGTERM);
    BOOST_TEST((result.outcome == SignalOutcome::Sent));
    BOOST_TEST(result.pidfd.get() >= 0);
    std::vector<vz::UniqueFd> fds;
    fds.push_back(std::move(result.pidfd));
    vz::wait_for_exit(fds); // returns once it died
    BOOST_TEST(!alive(pid));
    ::waitpid(pid, nullptr, 0);
    // Gone now: nothing to signal.
    BOOST_TEST((vz::signal_checked(reader, entry, {"prockill-a"}, {}, SIGTERM).outcome ==
                SignalOutcome::Gone));
}

BOOST_AUTO_TEST_CASE(a_renamed_process_is_left_alone) {
    const pid_t pid = spawn_named("prockill-b");
    vz::ProcReader reader({.ctid = true});
    reader.refresh_cts();
    const auto entry = entry_of(reader, pid);
    auto result = vz::signal_checked(reader, entry, {"prockill-c"}, {}, SIGKILL);
    BOOST_TEST((result.outcome == SignalOutcome::Changed));
    BOOST_TEST(alive(pid));
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
}

// The pid of a listed process is given to a new process with the same name
// (ns_last_pid steers the host's allocator); the signal must not reach it.
BOOST_AUTO_TEST_CASE(a_reused_pid_is_never_signalled) {
    vz::ProcReader reader({.ctid = true});
    reader.refresh_cts();
    bool reused = false;
    for (int attempt = 0; attempt < 50 && !reused; ++attempt) {
        const pid_t first = spawn_named("prockill-reuse");
        const auto listed = entry_of(reader, first);
        ::kill(first, SIGKILL);
        ::waitpid(first, nullptr, 0);
        // A later start time than the listed process, in clock ticks.
        std::this_thread::sleep_for(std::chrono::milliseconds(30));
        {
            std::ofstream last("/proc/sys/kernel/ns_last_pid");
            last << first - 1;
        }
        const pid_t second = spawn_named("prockill-reuse");
        if (second == first) {
            reused = true;
            auto result = vz::signal_checked(reader, listed, {"prockill-reuse"}, {}, SIGKILL);
            BOOST_TEST((result.outcome == SignalOutcome::Changed));
            BOOST_TEST(result.reason.find("another process") != std::string::npos);
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            BOOST_TEST(alive(second));
        }
        ::kill(second, SIGKILL);
        ::waitpid(second, nullptr, 0);
    }
    BOOST_TEST(reused, "no pid was reused in 50 attempts (a busy host forking meanwhile)");
}

BOOST_AUTO_TEST_CASE(scope_and_cgroup_checks_on_a_container) {
    vztest::FakeCt ct(kFakeCtid);
    vz::ProcReader reader({.ctid = true, .status = true});
    reader.refresh_cts();
    const KillScope host{KillScope::Kind::Host, {}};
    const KillScope all_cts{KillScope::Kind::AllCts, {}};
    const KillScope this_ct{KillScope::Kind::Cts, {kFakeCtid}};
    const KillScope other_ct{KillScope::Kind::Cts, {kFakeCtid + 1}};

    const auto worker = entry_of(reader, ct.find(vztest::FakeCt::kWorker));
    const auto nested = entry_of(reader, ct.find(vztest::FakeCt::kNested));
    const auto outer = entry_of(reader, ct.outer());
    BOOST_TEST(worker.ctid == kFakeCtid);
    BOOST_TEST(outer.ctid == 0u);

    // Out of scope: refused whatever the signal.
    BOOST_TEST(
        (vz::signal_checked(reader, worker, {vztest::FakeCt::kWorker}, host, SIGKILL).outcome ==
         SignalOutcome::Changed));
    BOOST_TEST(
        (vz::signal_checked(reader, worker, {vztest::FakeCt::kWorker}, other_ct, SIGKILL).outcome ==
         SignalOutcome::Changed));
    // The host-side helper in the container's group: its pid namespace says
    // host, its cgroup says container: ambiguous, never signalled.
    auto result = vz::signal_checked(reader, outer, {vztest::FakeCt::kOuter}, host, SIGKILL);
    BOOST_TEST((result.outcome == SignalOutcome::Changed));
    BOOST_TEST(result.reason.find("cgroup") != std::string::npos);
    BOOST_TEST(
        (vz::signal_checked(reader, outer, {vztest::FakeCt::kOuter}, all_cts, SIGKILL).outcome ==
         SignalOutcome::Changed));
    BOOST_TEST(vztest::FakeCt::comm(ct.outer()) == vztest::FakeCt::kOuter);

    // In scope, nested namespaces included.
    BOOST_TEST((vz::signal_checked(reader, nested, {vztest::FakeCt::kNested}, this_ct, 0).outcome ==
                SignalOutcome::Sent));
    BOOST_TEST(
        (vz::signal_checked(reader, worker, {vztest::FakeCt::kWorker}, all_cts, SIGKILL).outcome ==
         SignalOutcome::Sent));
    for (int i = 0; i < 500 && ct.find(vztest::FakeCt::kWorker) > 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    BOOST_TEST(ct.find(vztest::FakeCt::kWorker) == -1); // killed and reaped by its init
    BOOST_TEST(ct.find(vztest::FakeCt::kInit) > 0);
}
