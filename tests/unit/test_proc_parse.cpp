// Parsers of the process tools: /proc/<pid>/stat and status, cgroup lines on
// v1, v2 and hybrid hosts, namespace links, command lines, /proc/stat, and
// the failure counters vztop sums from /proc/user_beancounters.
#define BOOST_TEST_MODULE test_proc_parse
#include <boost/test/unit_test.hpp>

#include "vzkit/proc/ctstat.h"
#include "vzkit/proc/parse.h"
#include "vzkit/proc/top.h"
#include "vzkit/ubc/proc.h"
#include "vzkit/base/util.h"

#include <string>
#include <vector>

using vz::CgroupOwner;
using Kind = vz::CgroupOwner::Kind;
using namespace std::string_literals;

namespace {

// A real line of a shell (kernel 6.1), with every field up to processor and beyond.
const std::string kStatLine =
    "18027 (bash) S 18026 18027 18027 34816 18100 4194560 1370 3086 0 0 12 7 3 2 20 0 1 0 "
    "263450 5115904 1027 18446744073709551615 94117148475392 94117149388229 140730290425440 0 0 "
    "0 65536 3686404 1266761467 1 0 0 17 1 0 0 0 0 0 94117149631536 94117149679460 "
    "94117170733056 140730290431365 140730290431378 140730290431378 140730290433006 0\n";

} // namespace

BOOST_AUTO_TEST_CASE(stat_line_fields) {
    vz::ProcStat st;
    BOOST_REQUIRE(vz::parse_proc_stat(kStatLine, st));
    BOOST_TEST(st.pid == 18027);
    BOOST_TEST(st.comm == "bash");
    BOOST_TEST(st.state == 'S');
    BOOST_TEST(st.ppid == 18026);
    BOOST_TEST(st.pgrp == 18027);
    BOOST_TEST(st.session == 18027);
    BOOST_TEST(st.tty == 34816u);
    BOOST_TEST(st.tpgid == 18100);
    BOOST_TEST(st.flags == 4194560u);
    BOOST_TEST(st.utime == 12u);
    BOOST_TEST(st.stime == 7u);
    BOOST_TEST(st.priority == 20);
    BOOST_TEST(st.nice == 0);
    BOOST_TEST(st.threads == 1u);
    BOOST_TEST(st.start == 263450u);
    BOOST_TEST(st.vsize == 5115904u);
    BOOST_TEST(st.rss == 1027u);
    BOOST_TEST(st.processor == 1);
}

BOOST_AUTO_TEST_CASE(stat_comm_with_parentheses_and_spaces) {
    // A process may call itself anything: the comm ends at the LAST ')'.
    vz::ProcStat st;
    const std::string line = "42 (a) R (b c) Z 1 42 42 0 -1 4194304 0 0 0 0 0 0 0 0 20 -5 3 0 "
                             "99 0 0 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0";
    BOOST_REQUIRE(vz::parse_proc_stat(line, st));
    BOOST_TEST(st.comm == "a) R (b c");
    BOOST_TEST(st.state == 'Z');
    BOOST_TEST(st.tpgid == -1);
    BOOST_TEST(st.nice == -5);
    BOOST_TEST(st.threads == 3u);
    BOOST_TEST(st.start == 99u);
    BOOST_TEST(st.processor == 0); // field 39 present as 0
}

BOOST_AUTO_TEST_CASE(stat_malformed_lines_are_refused) {
    vz::ProcStat st;
    BOOST_TEST(!vz::parse_proc_stat("", st));
    BOOST_TEST(!vz::parse_proc_stat("12 bash S 1 2 3", st));                 // no parentheses
    BOOST_TEST(!vz::parse_proc_stat("12 (bash) S 1 2 3 4 5 6", st));         // cut short
    BOOST_TEST(!vz::parse_proc_stat("x (bash)" + kStatLine.substr(12), st)); // pid not a number
    BOOST_TEST(!vz::parse_proc_stat("12 (bash) SS 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 "
                                    "20 21 22",
                                    st)); // state is one letter
}

BOOST_AUTO_TEST_CASE(status_ids_nspid_and_locked_memory) {
    const std::string status = "Name:\tsleep\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t7265\n"
                               "Ngid:\t0\nPid:\t7265\nPPid:\t7256\nTracerPid:\t0\n"
                               "Uid:\t1000\t1001\t1002\t1003\nGid:\t50\t51\t52\t53\n"
                               "FDSize:\t64\nGroups:\t \nNStgid:\t7265\t8\nNSpid:\t7265\t8\n"
                               "NSpgid:\t7265\t8\nNSsid:\t7265\t8\nVmPeak:\t    2268 kB\n"
                               "VmLck:\t       4 kB\nThreads:\t1\n";
    vz::ProcStatus st;
    BOOST_REQUIRE(vz::parse_proc_status(status, st));
    BOOST_TEST(st.ruid == 1000u);
    BOOST_TEST(st.euid == 1001u);
    BOOST_TEST(st.rgid == 50u);
    BOOST_TEST(st.egid == 51u);
    BOOST_TEST(st.locked_kb == 4u);
    BOOST_TEST(st.nspid == (std::vector<pid_t>{7265, 8}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(status_nested_host_and_old_kernels) {
    vz::ProcStatus st;
    BOOST_REQUIRE(
        vz::parse_proc_status("Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nNSpid:\t900\t12\t1\n", st));
    BOOST_TEST(st.nspid == (std::vector<pid_t>{900, 12, 1}), boost::test_tools::per_element());
    BOOST_REQUIRE(vz::parse_proc_status("Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nNSpid:\t1\n", st));
    BOOST_TEST(st.nspid.size() == 1u);
    // Before 4.1 there is no NSpid line: the buffer must not keep old values.
    BOOST_REQUIRE(vz::parse_proc_status("Uid:\t5\t5\t5\t5\nGid:\t5\t5\t5\t5\n", st));
    BOOST_TEST(st.nspid.empty());
    BOOST_TEST(st.locked_kb == 0u);
    // Uid and Gid are required; a "Uid" inside another key does not count.
    BOOST_TEST(!vz::parse_proc_status("Gid:\t0\t0\t0\t0\n", st));
    BOOST_TEST(!vz::parse_proc_status("XUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n", st));
    BOOST_TEST(!vz::parse_proc_status("Uid:\tzero\t0\t0\t0\nGid:\t0\t0\t0\t0\n", st));
}

BOOST_AUTO_TEST_CASE(ns_init_is_pid_1_one_namespace_down) {
    vz::ProcStatus st;
    st.nspid = {4242, 1};
    BOOST_TEST(vz::is_ns_init(st, 1)); // a container's init, seen from the host
    BOOST_TEST(!vz::is_ns_init(st, 2));
    st.nspid = {4242, 17, 1}; // a nested namespace's init inside a container
    BOOST_TEST(!vz::is_ns_init(st, 1));
    BOOST_TEST(vz::is_ns_init(st, 2));
    st.nspid = {4242, 7};
    BOOST_TEST(!vz::is_ns_init(st, 1));
    st.nspid = {1}; // the host's own init
    BOOST_TEST(!vz::is_ns_init(st, 1));
    st.nspid.clear(); // before 4.1: no NSpid, never an init
    BOOST_TEST(!vz::is_ns_init(st, 0));
    BOOST_TEST(!vz::is_ns_init(st, 1));
}

BOOST_AUTO_TEST_CASE(cgroup_v1_every_hierarchy_names_the_ct) {
    const std::string v1 = "9:name=systemd:/vz/101\n8:pids:/vz/101\n7:blkio:/vz/101\n"
                           "4:memory:/vz/101\n2:cpuacct:/vz/101\n1:cpu:/vz/101\n0::/\n";
    BOOST_TEST((vz::parse_cgroup_owner(v1) == CgroupOwner{Kind::Ct, 101}));
}

BOOST_AUTO_TEST_CASE(cgroup_v2_and_subgroups) {
    BOOST_TEST((vz::parse_cgroup_owner("0::/vz/2501\n") == CgroupOwner{Kind::Ct, 2501}));
    // Groups the container made below its own still belong to it.
    BOOST_TEST(
        (vz::parse_cgroup_owner("0::/vz/2501/init.scope/x\n") == CgroupOwner{Kind::Ct, 2501}));
    // Hybrid host: v1 lines in the CT's group, the unified line at the root.
    BOOST_TEST((vz::parse_cgroup_owner("1:cpu:/vz/7\n0::/\n") == CgroupOwner{Kind::Ct, 7}));
    // The host's own processes.
    BOOST_TEST((vz::parse_cgroup_owner("4:memory:/process_api/f48\n3:cpuset:/\n0::/user.slice\n") ==
                CgroupOwner{}));
    BOOST_TEST((vz::parse_cgroup_owner("") == CgroupOwner{}));
}

BOOST_AUTO_TEST_CASE(cgroup_conflicts_and_lookalikes) {
    BOOST_TEST(
        (vz::parse_cgroup_owner("2:memory:/vz/101\n1:cpu:/vz/102\n").kind == Kind::Conflict));
    // Paths that merely look like a container's group.
    for (std::string path :
         {"/vz", "/vz/", "/vz/0", "/vz/0101", "/vz/abc", "/vz/-1", "/vz/+5", "/vzz/101",
          "/x/vz/101", "vz/101", "/vz/2147483645", "/vz/99999999999999999999"})
        BOOST_TEST(!vz::ctid_of_cgroup_path(path), path);
    BOOST_TEST(vz::ctid_of_cgroup_path("/vz/2147483644").value() == 2147483644u);
    // A path holding ':' is still one path.
    BOOST_TEST((vz::parse_cgroup_owner("0::/vz/5/a:b\n") == CgroupOwner{Kind::Ct, 5}));
    // Lines without two colons are ignored rather than misread.
    BOOST_TEST((vz::parse_cgroup_owner("garbage /vz/5\n") == CgroupOwner{}));
}

BOOST_AUTO_TEST_CASE(cgroup_column_as_procps_shows_it) {
    BOOST_TEST(vz::format_cgroup_column("2:cpu:/vz/1\n1:pids:/\n0::/\n") == "2:cpu:/vz/1");
    BOOST_TEST(vz::format_cgroup_column("2:cpu:/a\n1:pids:/b\n") == "2:cpu:/a,1:pids:/b");
    BOOST_TEST(vz::format_cgroup_column("0::/\n") == "-");
}

BOOST_AUTO_TEST_CASE(namespace_links) {
    BOOST_TEST(vz::parse_ns_link("pid:[4026531836]", "pid").value() == 4026531836u);
    BOOST_TEST(!vz::parse_ns_link("mnt:[4026531836]", "pid"));
    BOOST_TEST(!vz::parse_ns_link("pid:[]", "pid"));
    BOOST_TEST(!vz::parse_ns_link("pid:[12", "pid"));
    BOOST_TEST(!vz::parse_ns_link("pid:4026531836", "pid"));
}

BOOST_AUTO_TEST_CASE(command_lines) {
    const std::string raw("/usr/sbin/sshd\0-D\0-o\0a b\0"s);
    BOOST_TEST(vz::format_cmdline(raw) == "/usr/sbin/sshd -D -o a b");
    BOOST_TEST(vz::cmdline_argv0_name(raw) == "sshd");
    BOOST_TEST(vz::cmdline_argv0_name("init\0"s) == "init");
    BOOST_TEST(vz::cmdline_argv0_name("") == "");
    BOOST_TEST(vz::format_cmdline("a\nb\0c\tx\0"s) == "a?b c?x");
}

BOOST_AUTO_TEST_CASE(uptime_meminfo_and_numbers) {
    BOOST_TEST(vz::parse_uptime("4215.33 8100.21\n").value() == 4215.33);
    BOOST_TEST(!vz::parse_uptime("x 1\n"));
    const std::string meminfo = "MemTotal:       24684564 kB\nMemFree:        22453012 kB\n"
                                "MemAvailable:   23586196 kB\n";
    BOOST_TEST(vz::parse_meminfo_kb(meminfo, "MemTotal").value() == 24684564u);
    BOOST_TEST(vz::parse_meminfo_kb(meminfo, "MemAvailable").value() == 23586196u);
    BOOST_TEST(!vz::parse_meminfo_kb(meminfo, "Mem"));
    BOOST_TEST(vz::parse_number<std::uint64_t>("0").value() == 0u);
    BOOST_TEST(!vz::parse_number<std::uint64_t>("-1"));
    BOOST_TEST(!vz::parse_number<std::uint64_t>("+1"));
    BOOST_TEST(!vz::parse_number<std::uint64_t>(" 1"));
    BOOST_TEST(!vz::parse_number<std::uint64_t>("18446744073709551616"));
}

BOOST_AUTO_TEST_CASE(keyed_cgroup_files_and_limits) {
    BOOST_TEST(vz::parse_keyed_value("usage_usec 1500\nuser_usec 1000\n", "usage_usec").value() ==
               1500u);
    BOOST_TEST(vz::parse_keyed_value("max 3\n", "max").value() == 3u);
    BOOST_TEST(!vz::parse_keyed_value("low 0\nhigh 0\n", "max"));
    BOOST_TEST(vz::parse_memory_limit("268435456\n").value() == 268435456u);
    BOOST_TEST(!vz::parse_memory_limit("max\n"));
    BOOST_TEST(!vz::parse_memory_limit("9223372036854771712\n")); // v1 "unlimited"
}

BOOST_AUTO_TEST_CASE(proc_stat_cpu_line) {
    vz::HostCounters host;
    BOOST_REQUIRE(
        vz::parse_proc_stat_cpu("cpu  100 5 50 1000 20 1 2 3 7 0\ncpu0 1 1 1 1 1 1 1 1 0 0\n"
                                "cpu1 1 1 1 1 1 1 1 1 0 0\nintr 5\n",
                                host));
    BOOST_TEST(host.cpu_total == 1181u); // user..steal; guest is part of user already
    BOOST_TEST(host.cpu_busy == 161u);   // minus idle and iowait
    BOOST_TEST(host.cpus == 2u);
    BOOST_TEST(!vz::parse_proc_stat_cpu("intr 5\n", host));
}

BOOST_AUTO_TEST_CASE(user_beancounters_failcnt_sums) {
    const std::string ubc =
        "Version: 2.5\n"
        "       uid  resource                     held              maxheld              barrier "
        "               limit              failcnt\n"
        "      101:  kmemsize                  2752512              3186688  9223372036854775807  "
        "9223372036854775807                    0\n"
        "            numproc                        10                   20                   20 "
        "                  20                    7\n"
        "            numfile                       100                  200                 1000 "
        "                1000                    2\n"
        "        0:  kmemsize                        0                    0  9223372036854775807  "
        "9223372036854775807                    1\n";
    auto beancounters = vz::ubc::parse_beancounters(ubc);
    BOOST_REQUIRE(beancounters);
    auto sums = vz::ubc_failcnt_sums(*beancounters);
    BOOST_TEST(sums.size() == 2u);
    BOOST_TEST(sums.at(101) == 9u);
    BOOST_TEST(sums.at(0) == 1u);
}
