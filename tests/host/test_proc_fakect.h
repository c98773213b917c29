// A minimal live container for the process-tool tests, built from the same
// kernel objects vzctl uses (a vz/<CTID> cgroup and a pid namespace) without
// a root file system:
//
//   outer   host pid namespace, inside the group (as vzctl's helper while it
//           joins a container): must count as the host's
//   init    pid 1 of the container's namespace
//   worker  pid 2 there
//   nested  pid 3 there, and pid 1 of a namespace nested below it
//
// Every process names itself (prctl) so tests find them by name. The
// destructor kills the group and removes it, whatever the test did.
#pragma once

#include "vzkit/cgroup/cgroup.h"
#include "vzkit/base/util.h"

#include <sched.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <string>
#include <thread>

namespace vztest {

class FakeCt {
  public:
    static constexpr const char *kOuter = "fakect-outer";
    static constexpr const char *kInit = "fakect-init";
    static constexpr const char *kWorker = "fakect-worker";
    static constexpr const char *kNested = "fakect-nested";

    explicit FakeCt(vz::Ctid ctid) : ctid_(ctid), cgroup_(ctid) {
        cgroup_.create();
        outer_ = ::fork();
        if (outer_ == 0)
            run_outer();
        wait_ready();
    }
    ~FakeCt() {
        cgroup_.kill_all();
        if (outer_ > 0)
            ::waitpid(outer_, nullptr, 0);
        try {
            cgroup_.destroy();
        } catch (const std::exception &) {
        }
    }
    FakeCt(const FakeCt &) = delete;
    FakeCt &operator=(const FakeCt &) = delete;

    vz::Ctid ctid() const { return ctid_; }
    pid_t outer() const { return outer_; }
    const vz::Cgroup &cgroup() const { return cgroup_; }

    // The host pid of the group's process called name, or -1.
    pid_t find(const std::string &name) const {
        for (pid_t pid : cgroup_.pids())
            if (comm(pid) == name)
                return pid;
        return -1;
    }

    static std::string comm(pid_t pid) {
        auto text = vz::read_file("/proc/" + std::to_string(pid) + "/comm");
        return text ? std::string(vz::trim(*text)) : std::string();
    }

  private:
    [[noreturn]] static void idle(const char *name) {
        ::prctl(PR_SET_NAME, name, 0, 0, 0);
        // An init reaps what dies below it; everyone else just waits.
        for (;;)
            if (::wait(nullptr) < 0 && errno == ECHILD)
                ::pause();
    }

    [[noreturn]] void run_outer() {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        try {
            cgroup_.attach(::getpid());
        } catch (const std::exception &) {
            ::_exit(1);
        }
        if (::unshare(CLONE_NEWPID) != 0 || ::fork() == 0)
            run_init();
        idle(kOuter);
    }

    [[noreturn]] static void run_init() {
        if (::getpid() != 1)
            ::_exit(1);
        if (::fork() == 0)
            idle(kWorker);
        // The worker has pid 2 before the nested namespace's init takes 3.
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        if (::unshare(CLONE_NEWPID) == 0 && ::fork() == 0)
            idle(kNested);
        idle(kInit);
    }

    void wait_ready() const {
        for (int i = 0; i < 500; ++i) {
            if (find(kOuter) > 0 && find(kInit) > 0 && find(kWorker) > 0 && find(kNested) > 0)
                return;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        throw std::runtime_error("the fake container did not come up");
    }

    vz::Ctid ctid_;
    vz::Cgroup cgroup_;
    pid_t outer_ = -1;
};

} // namespace vztest
