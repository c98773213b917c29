// vz::Cgroup against the running kernel: cgroup v1 on the host, cgroup v2 in
// the VM (tests/vm/t_cgroup_v2.sh). The live cases need root; they use a CTID
// far above real ones and remove their group even when a check fails. The
// device rule parsers, which need neither, are tests/unit/test_cgroup_devices.cpp.
#define BOOST_TEST_MODULE test_cgroup
#include <boost/test/unit_test.hpp>

#include "temp_dir.h"

#include "vzkit/cgroup/cgroup.h"
#include "vzkit/base/error.h"
#include "vzkit/base/fd.h"
#include "vzkit/base/util.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using vz::Cgroup;
using vz::CgroupMode;
using vz::DeviceRule;

constexpr std::uint64_t kMiB = 1024 * 1024;

vz::Ctid test_ctid() {
    return 2147480000U + static_cast<unsigned>(::getpid() % 1000);
}

bool is_v2() {
    return Cgroup::host_mode() == CgroupMode::V2;
}

std::string read_trimmed(const fs::path &file) {
    auto text = vz::read_file(file);
    BOOST_TEST_REQUIRE(text.has_value(), "cannot read " << file);
    return std::string(vz::trim(*text));
}

// A control file takes one value per write(), and must not be truncated first.
void write_control(const fs::path &file, std::string_view value) {
    vz::UniqueFd fd(::open(file.c_str(), O_WRONLY | O_CLOEXEC));
    BOOST_TEST_REQUIRE(fd.get() >= 0, "open " << file << ": " << std::strerror(errno));
    BOOST_TEST_REQUIRE(::write(fd.get(), value.data(), value.size()) ==
                           static_cast<ssize_t>(value.size()),
                       "write " << value << " to " << file << ": " << std::strerror(errno));
}

bool contains(const std::vector<pid_t> &pids, pid_t pid) {
    return std::ranges::find(pids, pid) != pids.end();
}

// --- a child that runs requests from inside the group ---------------------

enum class Op : char { Open, Mknod, Fork };

struct Request {
    Op op;
    int arg; // open flags, or how many children to fork at most
    std::array<char, 256> path;
};

struct Reply {
    int err;   // errno of the call, 0 on success
    int count; // children forked
};

Reply serve_open(const Request &req) {
    int fd = ::open(req.path.data(), req.arg | O_CLOEXEC | O_NONBLOCK);
    Reply reply{fd < 0 ? errno : 0, 0};
    if (fd >= 0)
        ::close(fd);
    return reply;
}

Reply serve_mknod(const Request &req) {
    int rc = ::mknod(req.path.data(), S_IFCHR | 0600, makedev(1, 1));
    return {rc < 0 ? errno : 0, 0};
}

Reply serve_fork(const Request &req, int in, int out) {
    Reply reply{0, 0};
    while (reply.count < req.arg) {
        pid_t pid = ::fork();
        if (pid == 0) {
            ::close(in);
            ::close(out);
            ::pause();
            ::_exit(0);
        }
        if (pid < 0) {
            reply.err = errno;
            break;
        }
        ++reply.count;
    }
    return reply;
}

[[noreturn]] void serve(int in, int out) {
    Request req{};
    while (::read(in, &req, sizeof req) == static_cast<ssize_t>(sizeof req)) {
        Reply reply{};
        switch (req.op) {
        case Op::Open:
            reply = serve_open(req);
            break;
        case Op::Mknod:
            reply = serve_mknod(req);
            break;
        case Op::Fork:
            reply = serve_fork(req, in, out);
            break;
        }
        if (::write(out, &reply, sizeof reply) != static_cast<ssize_t>(sizeof reply))
            break;
    }
    ::_exit(0);
}

// The forked child is killed and reaped when the Agent goes out of scope, so
// a failed check never leaves it behind.
class Agent {
  public:
    Agent() {
        std::array<int, 2> to_child{};
        std::array<int, 2> from_child{};
        BOOST_TEST_REQUIRE(::pipe2(to_child.data(), O_CLOEXEC) == 0);
        BOOST_TEST_REQUIRE(::pipe2(from_child.data(), O_CLOEXEC) == 0);
        pid_ = ::fork();
        BOOST_TEST_REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            ::close(to_child[1]);
            ::close(from_child[0]);
            serve(to_child[0], from_child[1]);
        }
        ::close(to_child[0]);
        ::close(from_child[1]);
        to_child_.reset(to_child[1]);
        from_child_.reset(from_child[0]);
    }
    Agent(const Agent &) = delete;
    Agent &operator=(const Agent &) = delete;
    ~Agent() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
    }

    pid_t pid() const { return pid_; }

    int open_errno(const fs::path &path, int flags) { return call(Op::Open, flags, path).err; }
    int mknod_errno(const fs::path &path) { return call(Op::Mknod, 0, path).err; }
    Reply fork_children(int at_most) { return call(Op::Fork, at_most, {}); }

    // Reaps the child; its wait status.
    int wait() {
        int status = 0;
        BOOST_TEST_REQUIRE(::waitpid(pid_, &status, 0) == pid_);
        pid_ = -1;
        return status;
    }

  private:
    Reply call(Op op, int arg, const fs::path &path) {
        Request req{op, arg, {}};
        BOOST_TEST_REQUIRE(path.string().size() < req.path.size());
        std::ranges::copy(path.string(), req.path.begin());
        BOOST_TEST_REQUIRE(::write(to_child_.get(), &req, sizeof req) ==
                           static_cast<ssize_t>(sizeof req));
        Reply reply{};
        BOOST_TEST_REQUIRE(::read(from_child_.get(), &reply, sizeof reply) ==
                           static_cast<ssize_t>(sizeof reply));
        return reply;
    }

    pid_t pid_ = -1;
    vz::UniqueFd to_child_;
    vz::UniqueFd from_child_;
};

// Its path() accessor is what these tests were written against.
class TempDir : vztest::TempDir {
  public:
    TempDir() : vztest::TempDir("test_cgroup") {}
    const fs::path &path() const { return vztest::TempDir::path; }
};

// --- fixtures ---------------------------------------------------------------

boost::test_tools::assertion_result is_root(boost::unit_test::test_unit_id) {
    boost::test_tools::assertion_result result(::geteuid() == 0);
    result.message() << "needs root";
    return result;
}

// Grandchildren (fork tests) are orphaned when their parent is killed; as a
// subreaper this process gets them and reaps them, instead of leaving zombies
// to an init that may not reap.
struct Subreaper {
    Subreaper() { ::prctl(PR_SET_CHILD_SUBREAPER, 1); }
};
BOOST_TEST_GLOBAL_FIXTURE(Subreaper);

struct GroupFixture {
    Cgroup cg{test_ctid()};

    GroupFixture() { remove_group(); }
    ~GroupFixture() {
        remove_group();
        while (::waitpid(-1, nullptr, WNOHANG) > 0) {
        }
    }
    GroupFixture(const GroupFixture &) = delete;
    GroupFixture &operator=(const GroupFixture &) = delete;

    void remove_group() noexcept {
        try {
            if (cg.exists()) {
                cg.kill_all();
                cg.destroy();
            }
        } catch (const std::exception &e) {
            BOOST_TEST_MESSAGE("cleanup of vz/" << cg.ctid() << ": " << e.what());
        }
    }

    // A group below vz/<CTID> in every hierarchy, as a container's own
    // systemd would make; cpuset needs CPUs before tasks can join (v1).
    std::vector<fs::path> make_subgroups() const {
        std::vector<fs::path> out;
        for (const auto &dir : cg.all_paths()) {
            fs::create_directory(dir / "sub");
            for (const char *file : {"cpuset.cpus", "cpuset.mems"}) {
                auto parent = vz::read_file(dir / file);
                auto own =
                    vz::read_file(dir / "sub" / file); // absent where cpuset is not delegated
                if (parent && !vz::trim(*parent).empty() && own && vz::trim(*own).empty())
                    write_control(dir / "sub" / file, vz::trim(*parent));
            }
            out.push_back(dir / "sub");
        }
        return out;
    }
};

struct Expected {
    std::string_view controller;
    std::string_view file;
    std::string value;
};

void check_files(const Cgroup &cg, const std::vector<Expected> &expected) {
    for (const auto &e : expected)
        BOOST_TEST(read_trimmed(cg.path(e.controller) / e.file) == e.value,
                   e.file << " == " << e.value);
}

// What the v1 memory controller reads back for -1: the largest page multiple.
std::string v1_unlimited() {
    const auto page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
    return std::to_string(static_cast<std::uint64_t>(INT64_MAX) / page * page);
}

std::vector<DeviceRule> with(std::vector<DeviceRule> rules, const DeviceRule &extra) {
    rules.push_back(extra);
    return rules;
}

} // namespace

// --- the live group -----------------------------------------------------------

BOOST_AUTO_TEST_SUITE(live, *boost::unit_test::precondition(is_root))

BOOST_FIXTURE_TEST_CASE(create_and_destroy_cover_every_hierarchy, GroupFixture) {
    BOOST_TEST(!cg.exists());
    cg.create();
    BOOST_TEST(cg.exists());
    const auto paths = cg.all_paths();
    BOOST_TEST_REQUIRE(!paths.empty());
    for (const auto &dir : paths)
        BOOST_TEST(fs::is_directory(dir), dir);
    BOOST_TEST(cg.pids().empty());
    BOOST_TEST(cg.pids_current().value_or(UINT64_MAX) == 0U);

    make_subgroups();
    cg.destroy();
    for (const auto &dir : paths)
        BOOST_TEST(!fs::exists(dir), dir);
    BOOST_TEST(!cg.exists());
    BOOST_CHECK_NO_THROW(cg.destroy());
}

BOOST_FIXTURE_TEST_CASE(apply_writes_the_mapped_values, GroupFixture) {
    cg.create();
    vz::CgroupLimits limits;
    limits.memory_bytes = 256 * kMiB;
    limits.swap_bytes = 128 * kMiB;
    limits.pids = 50;
    limits.cpuunits = 500;
    limits.cpulimit_percent = 50;
    limits.cpuset_cpus = "0";
    cg.apply(limits);
    if (is_v2())
        check_files(cg, {{"memory", "memory.max", "268435456"},
                         {"memory", "memory.swap.max", "134217728"},
                         {"pids", "pids.max", "50"},
                         {"cpu", "cpu.weight", "50"},
                         {"cpu", "cpu.max", "50000 100000"},
                         {"cpuset", "cpuset.cpus", "0"}});
    else
        check_files(cg, {{"memory", "memory.limit_in_bytes", "268435456"},
                         {"memory", "memory.memsw.limit_in_bytes", "402653184"},
                         {"pids", "pids.max", "50"},
                         {"cpu", "cpu.shares", "512"},
                         {"cpu", "cpu.cfs_period_us", "100000"},
                         {"cpu", "cpu.cfs_quota_us", "50000"},
                         {"cpuset", "cpuset.cpus", "0"}});

    cg.apply(vz::CgroupLimits{});
    if (is_v2())
        check_files(cg,
                    {{"memory", "memory.max", "max"},
                     {"memory", "memory.swap.max", "max"},
                     {"pids", "pids.max", "max"},
                     {"cpu", "cpu.weight", "100"},
                     {"cpu", "cpu.max", "max 100000"},
                     {"cpuset", "cpuset.cpus",
                      read_trimmed(cg.path("cpuset").parent_path() / "cpuset.cpus.effective")}});
    else
        check_files(cg, {{"memory", "memory.limit_in_bytes", v1_unlimited()},
                         {"memory", "memory.memsw.limit_in_bytes", v1_unlimited()},
                         {"pids", "pids.max", "max"},
                         {"cpu", "cpu.shares", "1024"},
                         {"cpu", "cpu.cfs_quota_us", "-1"},
                         {"cpuset", "cpuset.cpus",
                          read_trimmed(cg.path("cpuset").parent_path() / "cpuset.cpus")}});
    BOOST_TEST(cg.memory_usage_bytes().has_value());
}

// A new group has its parent's CPUs and nodes from the start. On v1 vz lets
// the kernel copy them (clone_children), so a start writes no cpuset file, a
// write that checks every sibling and rebuilds the scheduler domains (issue
// 15 density); v2 groups inherit the effective sets.
BOOST_FIXTURE_TEST_CASE(cpuset_groups_are_born_with_the_parents_cpus, GroupFixture) {
    cg.create();
    BOOST_REQUIRE(cg.find("cpuset"));
    const auto dir = *cg.find("cpuset");
    const std::string suffix = is_v2() ? ".effective" : "";
    if (!is_v2())
        BOOST_TEST(read_trimmed(dir.parent_path() / "cgroup.clone_children") == "1");
    for (const std::string file : {"cpuset.cpus", "cpuset.mems"})
        BOOST_TEST(read_trimmed(dir / (file + suffix)) ==
                       read_trimmed(dir.parent_path() / (file + suffix)),
                   file);
}

// CPUS without the module: one CPU of the parent's, kept on a re-apply, and
// a second container pinned beside it takes another (docs/containers.md).
BOOST_FIXTURE_TEST_CASE(apply_pins_cpus_least_used_first, GroupFixture) {
    const fs::path parent = cg.path("cpuset").parent_path();
    cg.create();
    const std::string parent_cpus =
        read_trimmed(parent / (is_v2() ? "cpuset.cpus.effective" : "cpuset.cpus"));
    const auto own = [](const Cgroup &group) {
        return read_trimmed(group.path("cpuset") / "cpuset.cpus");
    };
    vz::CgroupLimits limits;
    limits.pin_cpus = 1;
    cg.apply(limits);
    const std::string first = own(cg);
    BOOST_TEST(first.find_first_of(",-") == std::string::npos, "one CPU: " << first);
    cg.apply(limits);
    BOOST_TEST(own(cg) == first, "kept on a re-apply");

    Cgroup other(cg.ctid() + 1);
    struct Remove {
        const Cgroup &group;
        ~Remove() {
            if (group.exists())
                group.destroy();
        }
    } remove{other};
    other.create();
    other.apply(limits);
    if (parent_cpus.find_first_of(",-") != std::string::npos)
        BOOST_TEST(own(other) != first, "a second CPU for the second: " << own(other));
    else
        BOOST_TEST(own(other) == first, "a one-CPU host has only " << first);

    limits.pin_cpus = 4096;
    cg.apply(limits);
    BOOST_TEST(own(cg) == parent_cpus, "more than the parent has: all of them");
    cg.apply(vz::CgroupLimits{});
    BOOST_TEST(own(cg) == parent_cpus);
}

BOOST_FIXTURE_TEST_CASE(apply_reports_a_refused_value, GroupFixture) {
    cg.create();
    vz::CgroupLimits limits;
    limits.cpuset_cpus = "4095";
    BOOST_CHECK_EXCEPTION(cg.apply(limits), vz::Error, [](const vz::Error &e) {
        return e.code() == vz::VZ_RESOURCE_ERROR &&
               std::string(e.what()).find("cpuset.cpus") != std::string::npos;
    });
}

BOOST_FIXTURE_TEST_CASE(attach_and_pids_see_subgroups, GroupFixture) {
    cg.create();
    Agent agent;
    cg.attach(agent.pid());
    BOOST_TEST(contains(cg.pids(), agent.pid()));
    for (const auto &dir : cg.all_paths())
        BOOST_TEST(read_trimmed(dir / "cgroup.procs") == std::to_string(agent.pid()), dir);
    BOOST_TEST(cg.pids_current().value_or(UINT64_MAX) == 1U);

    for (const auto &sub : make_subgroups())
        write_control(sub / "cgroup.procs", std::to_string(agent.pid()));
    BOOST_TEST(contains(cg.pids(), agent.pid()));
    BOOST_TEST(cg.pids().size() == 1U);
    // A look-up's one hierarchy sees what the union sees, sub-groups included.
    BOOST_TEST(cg.member_pids() == cg.pids());
}

// vzlist shares one layout among every CT's handle: a handle made from it
// finds the same directories as one that read its own.
BOOST_FIXTURE_TEST_CASE(a_shared_layout_finds_the_same_group, GroupFixture) {
    cg.create();
    const vz::Cgroup shared(cg.ctid(), vz::CgroupLayout::read());
    BOOST_TEST((shared.mode() == cg.mode()));
    BOOST_TEST(shared.all_paths() == cg.all_paths());
    BOOST_TEST(shared.path("memory") == cg.path("memory"));
    BOOST_TEST(shared.exists());
}

BOOST_FIXTURE_TEST_CASE(device_policy_is_enforced, GroupFixture) {
    cg.create();
    Agent agent;
    cg.attach(agent.pid());
    // create() leaves the group denying every device.
    BOOST_TEST(agent.open_errno("/dev/null", O_RDONLY) == EPERM);

    cg.set_devices(vz::default_device_rules());
    BOOST_TEST(agent.open_errno("/dev/null", O_RDWR) == 0);
    TempDir tmp;
    const fs::path mem = tmp.path() / "mem";
    BOOST_TEST_REQUIRE(::mknod(mem.c_str(), S_IFCHR | 0600, makedev(1, 1)) == 0);
    BOOST_TEST(agent.open_errno(mem, O_RDONLY) == EPERM);
    // "c *:* m": creating any node is allowed, opening it is not.
    BOOST_TEST(agent.mknod_errno(tmp.path() / "mem2") == 0);
    BOOST_TEST(agent.open_errno(tmp.path() / "mem2", O_RDONLY) == EPERM);
    // The host console is not on the default list.
    const fs::path console = tmp.path() / "console";
    BOOST_TEST_REQUIRE(::mknod(console.c_str(), S_IFCHR | 0600, makedev(5, 1)) == 0);
    BOOST_TEST(agent.open_errno(console, O_RDWR) == EPERM);

    cg.set_devices(with(vz::default_device_rules(), {'c', 1, 1, "r"}));
    // ENXIO: the cgroup let the open through to a kernel built without /dev/mem.
    const int err = agent.open_errno(mem, O_RDONLY);
    BOOST_TEST((err == 0 || err == ENXIO), "open for read: " << std::strerror(err));
    BOOST_TEST(agent.open_errno(mem, O_WRONLY) == EPERM);
    BOOST_TEST(agent.open_errno("/dev/null", O_RDWR) == 0);

    // Replacing the policy takes the grant away again.
    cg.set_devices(vz::default_device_rules());
    BOOST_TEST(agent.open_errno(mem, O_RDONLY) == EPERM);
    BOOST_TEST(agent.open_errno("/dev/null", O_RDWR) == 0);
}

BOOST_FIXTURE_TEST_CASE(kill_all_empties_the_group, GroupFixture) {
    cg.create();
    Agent agent;
    cg.attach(agent.pid());
    const Reply forked = agent.fork_children(3);
    BOOST_TEST_REQUIRE(forked.count == 3);
    BOOST_TEST(cg.pids().size() == 4U);

    BOOST_TEST(cg.kill_all());
    BOOST_TEST(cg.pids().empty());
    const int status = agent.wait();
    BOOST_TEST(WIFSIGNALED(status));
    BOOST_TEST(WTERMSIG(status) == SIGKILL);
    cg.destroy();
    BOOST_TEST(!cg.exists());
}

BOOST_FIXTURE_TEST_CASE(destroy_refuses_a_group_with_tasks, GroupFixture) {
    cg.create();
    Agent agent;
    cg.attach(agent.pid());
    BOOST_CHECK_EXCEPTION(cg.destroy(), vz::Error, [](const vz::Error &e) {
        return e.code() == vz::VZ_SYSTEM_ERROR &&
               std::string(e.what()).find("/vz/") != std::string::npos;
    });
    BOOST_TEST(cg.exists());
    BOOST_TEST(contains(cg.pids(), agent.pid()));
}

BOOST_FIXTURE_TEST_CASE(create_recovers_a_leftover_group, GroupFixture) {
    cg.create();
    vz::CgroupLimits limits;
    limits.pids = 10;
    cg.apply(limits);
    Agent agent;
    cg.attach(agent.pid());
    for (const auto &sub : make_subgroups())
        BOOST_TEST(fs::is_directory(sub));

    cg.create(); // as a start after the previous run died
    const int status = agent.wait();
    BOOST_TEST(WIFSIGNALED(status));
    BOOST_TEST(WTERMSIG(status) == SIGKILL);
    BOOST_TEST(cg.exists());
    BOOST_TEST(cg.pids().empty());
    for (const auto &dir : cg.all_paths())
        BOOST_TEST(!fs::exists(dir / "sub"), dir);
    BOOST_TEST(read_trimmed(cg.path("pids") / "pids.max") == "max");
}

BOOST_FIXTURE_TEST_CASE(pids_limit_is_enforced, GroupFixture) {
    cg.create();
    vz::CgroupLimits limits;
    limits.pids = 3;
    cg.apply(limits);
    Agent agent;
    cg.attach(agent.pid());
    const Reply forked = agent.fork_children(64);
    BOOST_TEST(forked.count == 2); // the agent itself is the third task
    BOOST_TEST(forked.err == EAGAIN, std::strerror(forked.err));
    BOOST_TEST(cg.kill_all());
}

BOOST_AUTO_TEST_SUITE_END()

// The layout read through listmount/statmount below /sys/fs/cgroup is the
// one mountinfo gives.
BOOST_AUTO_TEST_CASE(layout_matches_mountinfo) {
    const auto layout = vz::CgroupLayout::read();
    if (layout->mode() == vz::CgroupMode::V2) {
        // Read from nothing: every group is below /sys/fs/cgroup.
        BOOST_TEST(layout->hierarchies().empty());
        return;
    }
    std::vector<std::string> expected;
    std::optional<std::string> unified;
    for (const auto &m : vz::parse_mountinfo(vz::read_file("/proc/self/mountinfo").value_or(""))) {
        if (m.fs_type == "cgroup" && m.mount_point.starts_with("/sys/fs/cgroup/"))
            expected.push_back(m.mount_point);
        if (m.fs_type == "cgroup2" && !unified)
            unified = m.mount_point;
    }
    std::vector<std::string> got;
    for (const auto &h : layout->hierarchies()) {
        got.push_back(h.mount.string());
        BOOST_TEST(!h.controllers.empty(), h.mount);
    }
    std::ranges::sort(expected);
    std::ranges::sort(got);
    BOOST_TEST(got == expected, boost::test_tools::per_element());
    BOOST_TEST(layout->v1_unified_mount().has_value() == unified.has_value());
    if (unified && layout->v1_unified_mount())
        BOOST_TEST(layout->v1_unified_mount()->string() == *unified);
}
