// The process table against the live kernel: this process and its children,
// and a fake container (test_proc_fakect.h) whose init, worker, nested
// namespace and host-side helper must each land in the right CT with the right
// CT pid. Needs root (cgroups, namespaces); CTID 2597 of the tests' range.
#define BOOST_TEST_MODULE test_proc_table
#include <boost/test/unit_test.hpp>

#include "test_proc_fakect.h"

#include "vzkit/proc/table.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

namespace {

constexpr vz::Ctid kFakeCtid = 2597;

// A child that names itself and waits to be killed.
class NamedChild {
  public:
    explicit NamedChild(const char *name) {
        int ready[2];
        BOOST_REQUIRE(::pipe(ready) == 0);
        pid_ = ::fork();
        if (pid_ == 0) {
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
    }
    ~NamedChild() {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
    pid_t pid() const { return pid_; }

  private:
    pid_t pid_ = -1;
};

} // namespace

BOOST_AUTO_TEST_CASE(own_process_and_children) {
    NamedChild child("proctable-kid");
    vz::ProcTable table({.ctid = true, .status = true, .cmdline = true, .cgroup = true});
    table.refresh();
    BOOST_TEST(table.entries().size() > 3u);
    BOOST_TEST(std::ranges::is_sorted(table.entries(), {}, &vz::ProcEntry::pid));

    const vz::ProcEntry *self = table.find(::getpid());
    BOOST_REQUIRE(self);
    BOOST_TEST(self->stat.comm == "test_proc_table");
    BOOST_TEST(self->stat.ppid == ::getppid());
    BOOST_TEST(self->ctid == 0u);
    BOOST_TEST(self->vpid == ::getpid());
    BOOST_TEST(self->uid == ::geteuid());
    BOOST_TEST(self->cmdline.find("test_proc_table") != std::string::npos);
    BOOST_TEST(!self->cgroup.empty());
    BOOST_TEST(!self->kernel_thread());

    const vz::ProcEntry *kid = table.find(child.pid());
    BOOST_REQUIRE(kid);
    BOOST_TEST(kid->stat.comm == "proctable-kid");
    BOOST_TEST(kid->stat.ppid == ::getpid());
    BOOST_TEST(kid->stat.start >= self->stat.start);

    // kthreadd is pid 2 on any host; the table marks kernel threads.
    if (const vz::ProcEntry *kthreadd = table.find(2);
        kthreadd && kthreadd->stat.comm == "kthreadd")
        BOOST_TEST(kthreadd->kernel_thread());

    const auto &sys = table.system();
    BOOST_TEST(sys.uptime > 0);
    BOOST_TEST(sys.boot_time > 0);
    BOOST_TEST(sys.mem_total_kb > 0u);
}

BOOST_AUTO_TEST_CASE(reader_single_processes_threads_and_gone_ones) {
    vz::ProcReader reader({.ctid = true, .status = true});
    reader.refresh_cts();
    auto self = reader.read(::getpid());
    BOOST_REQUIRE(self);
    BOOST_TEST(self->ctid == 0u);

    // A thread id works as vzpid's argument, as /proc/<tid> does.
    pid_t tid = 0;
    std::thread thread([&] { tid = ::gettid(); });
    thread.join();
    BOOST_TEST(!reader.read(tid)); // exited: gone

    pid_t gone = ::fork();
    if (gone == 0)
        ::_exit(0);
    ::waitpid(gone, nullptr, 0);
    BOOST_TEST(!reader.read(gone));
    BOOST_TEST(!reader.read(0x7ffffffe));
}

BOOST_AUTO_TEST_CASE(the_refresh_after_a_change_sees_it) {
    vz::ProcTable table({});
    table.refresh();
    std::optional<NamedChild> child;
    child.emplace("proctable-new");
    const pid_t pid = child->pid();
    BOOST_TEST(!table.find(pid));
    table.refresh();
    BOOST_REQUIRE(table.find(pid));
    BOOST_TEST(table.find(pid)->stat.comm == "proctable-new");
    child.reset();
    table.refresh();
    BOOST_TEST(!table.find(pid));
}

BOOST_AUTO_TEST_CASE(fake_container_membership_and_ct_pids) {
    vztest::FakeCt ct(kFakeCtid);
    vz::ProcTable table({.ctid = true, .status = true});
    table.refresh();

    const vz::RunningCt *running = table.cts().find(kFakeCtid);
    BOOST_REQUIRE(running);
    BOOST_TEST(running->init_pid == ct.find(vztest::FakeCt::kInit));
    BOOST_TEST(running->level == 1u);

    struct Expect {
        const char *name;
        vz::Ctid ctid;
        pid_t vpid; // 0: the host pid
    };
    for (const Expect &want :
         {Expect{vztest::FakeCt::kInit, kFakeCtid, 1},
          Expect{vztest::FakeCt::kWorker, kFakeCtid, 2},
          Expect{vztest::FakeCt::kNested, kFakeCtid, 3}, Expect{vztest::FakeCt::kOuter, 0, 0}}) {
        const pid_t pid = ct.find(want.name);
        BOOST_TEST_CONTEXT(want.name << " (pid " << pid << ")") {
            const vz::ProcEntry *e = table.find(pid);
            BOOST_REQUIRE(e);
            BOOST_TEST(e->ctid == want.ctid);
            BOOST_TEST(e->vpid == (want.vpid ? want.vpid : pid));
        }
    }

    // Without NSpid (no status), the namespace link alone decides.
    vz::ProcReader bare({.ctid = true});
    bare.refresh_cts();
    BOOST_TEST(bare.read(ct.find(vztest::FakeCt::kNested))->ctid == kFakeCtid);
    BOOST_TEST(bare.read(ct.outer())->ctid == 0u);
    BOOST_TEST(bare.read(::getpid())->ctid == 0u);
}

BOOST_AUTO_TEST_CASE(a_stopped_container_is_not_listed) {
    { vztest::FakeCt ct(kFakeCtid); }
    vz::ProcTable table({});
    table.refresh();
    BOOST_TEST(!table.cts().find(kFakeCtid));
}
