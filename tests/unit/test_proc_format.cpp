// vzps's format lists, sort keys, procps-style cells, table and JSON output,
// process selection; vztop's units and row order.
#define BOOST_TEST_MODULE test_proc_format
#include <boost/test/unit_test.hpp>

#include "vzkit/base/error.h"
#include "vzkit/proc/format.h"
#include "vzkit/proc/select.h"
#include "vzkit/proc/top.h"

#include <sys/sysmacros.h>

#include <sstream>
#include <string>
#include <vector>

namespace {

constexpr int kCode = 1;

vz::ProcEntry make_entry(pid_t pid, vz::Ctid ctid, pid_t vpid, const std::string &comm) {
    vz::ProcEntry e;
    e.stat.pid = pid;
    e.stat.ppid = 1;
    e.stat.comm = comm;
    e.stat.state = 'S';
    e.stat.session = pid;
    e.stat.pgrp = pid;
    e.stat.tpgid = -1;
    e.stat.threads = 1;
    e.ctid = ctid;
    e.vpid = vpid;
    e.have_status = true;
    return e;
}

// 100 Hz, up for 1000 s, booted at epoch 1'000'000.
vz::ProcSystem test_system() {
    vz::ProcSystem sys;
    sys.hz = 100;
    sys.uptime = 1000;
    sys.boot_time = 1000000;
    sys.now = 1001000;
    sys.mem_total_kb = 1000000;
    sys.page_kb = 4;
    return sys;
}

std::vector<std::string> names(const std::vector<vz::PsColumn> &columns) {
    std::vector<std::string> out;
    for (const auto &c : columns)
        out.emplace_back(c.field->name);
    return out;
}

} // namespace

BOOST_AUTO_TEST_CASE(format_lists_names_aliases_widths_headers) {
    auto columns = vz::parse_ps_format("pid,ctid vpid,%cpu,veid,cmd", kCode);
    BOOST_TEST(names(columns) ==
                   (std::vector<std::string>{"pid", "ctid", "vpid", "pcpu", "ctid", "args"}),
               boost::test_tools::per_element());
    BOOST_TEST(columns[3].header == "%CPU");
    BOOST_TEST(columns[5].header == "CMD"); // cmd is args with procps's other header

    columns = vz::parse_ps_format("user:12,comm", kCode);
    BOOST_TEST(columns[0].width.value() == 12u);
    BOOST_TEST(!columns[1].width);

    // "=" takes the rest of the argument, commas included.
    columns = vz::parse_ps_format("pid,args=COMMAND LINE, really", kCode);
    BOOST_TEST(columns.size() == 2u);
    BOOST_TEST(columns[1].header == "COMMAND LINE, really");
    columns = vz::parse_ps_format("pid=", kCode);
    BOOST_TEST(columns[0].header.empty());
}

BOOST_AUTO_TEST_CASE(format_list_errors_name_the_problem) {
    BOOST_CHECK_EXCEPTION(
        vz::parse_ps_format("pid,bogus", kCode), vz::Error, [](const vz::Error &e) {
            return e.code() == kCode && std::string(e.what()).find("bogus") != std::string::npos;
        });
    BOOST_CHECK_THROW(vz::parse_ps_format("pid:0", kCode), vz::Error);
    BOOST_CHECK_THROW(vz::parse_ps_format("pid:x", kCode), vz::Error);
    BOOST_CHECK_THROW(vz::parse_ps_format(" , ", kCode), vz::Error);
}

BOOST_AUTO_TEST_CASE(queries_follow_the_columns) {
    auto q = vz::ps_query(vz::parse_ps_format("pid,ctid,comm,pcpu", kCode));
    BOOST_TEST(!q.status);
    BOOST_TEST(!q.cmdline);
    BOOST_TEST(!q.cgroup);
    q = vz::ps_query(vz::parse_ps_format("vpid,args,cgroup", kCode));
    BOOST_TEST(q.status);
    BOOST_TEST(q.cmdline);
    BOOST_TEST(q.cgroup);
    q = vz::ps_query(vz::parse_ps_sort("-user", kCode));
    BOOST_TEST(q.status);
}

BOOST_AUTO_TEST_CASE(sort_keys_and_order) {
    auto keys = vz::parse_ps_sort("-pcpu,+ctid,pid", kCode);
    BOOST_TEST(keys.size() == 3u);
    BOOST_TEST(keys[0].descending);
    BOOST_TEST(!keys[1].descending);
    BOOST_TEST(keys[1].field->name == "ctid");
    BOOST_CHECK_THROW(vz::parse_ps_sort("pid,,ctid", kCode), vz::Error);
    BOOST_CHECK_THROW(vz::parse_ps_sort("nosuch", kCode), vz::Error);

    auto sys = test_system();
    vz::NameCache cache;
    vz::PsContext ctx{sys, cache};
    auto a = make_entry(10, 2, 5, "b"), b = make_entry(11, 1, 6, "a"),
         c = make_entry(12, 2, 7, "c");
    std::vector<const vz::ProcEntry *> rows{&a, &b, &c};
    vz::sort_ps_rows(rows, vz::parse_ps_sort("-ctid,comm", kCode), ctx);
    BOOST_TEST(rows[0]->pid() == 10);
    BOOST_TEST(rows[1]->pid() == 12);
    BOOST_TEST(rows[2]->pid() == 11);
}

BOOST_AUTO_TEST_CASE(procps_cells) {
    BOOST_TEST(vz::format_cputime(0) == "00:00:00");
    BOOST_TEST(vz::format_cputime(3725) == "01:02:05");
    BOOST_TEST(vz::format_cputime(2 * 86400 + 3 * 3600 + 4 * 60 + 5) == "2-03:04:05");
    BOOST_TEST(vz::format_elapsed(5) == "00:05");
    BOOST_TEST(vz::format_elapsed(46 * 60 + 23) == "46:23");
    BOOST_TEST(vz::format_elapsed(3725) == "01:02:05");
    BOOST_TEST(vz::format_elapsed(86400 + 1) == "1-00:00:01");
    BOOST_TEST(vz::format_tty(0) == "?");
    BOOST_TEST(vz::format_tty(makedev(136, 3)) == "pts/3");
    BOOST_TEST(vz::format_tty(makedev(137, 1)) == "pts/257");
    BOOST_TEST(vz::format_tty(makedev(4, 1)) == "tty1");
    BOOST_TEST(vz::format_tty(makedev(4, 64)) == "ttyS0");
    BOOST_TEST(vz::format_permille(3) == "0.3");
    BOOST_TEST(vz::format_permille(999) == "99.9");
    BOOST_TEST(vz::format_permille(1500) == "150");

    auto e = make_entry(10, 0, 10, "sshd");
    BOOST_TEST(vz::format_stat(e) == "Ss");
    e.stat.nice = -10;
    e.stat.threads = 4;
    e.locked_kb = 8;
    e.stat.tty = makedev(136, 0);
    e.stat.tpgid = e.stat.pgrp;
    e.stat.state = 'R';
    BOOST_TEST(vz::format_stat(e) == "R<Lsl+");
    e.stat.nice = 5;
    e.stat.session = 1;
    BOOST_TEST(vz::format_stat(e) == "RNLl+");
}

BOOST_AUTO_TEST_CASE(pcpu_over_the_lifetime) {
    auto sys = test_system();
    auto e = make_entry(10, 0, 10, "x");
    e.stat.start = 50000;                          // started at 500 s, so 500 s old
    e.stat.utime = 20000;                          // 200 s of CPU
    e.stat.stime = 5000;                           // + 50 s
    BOOST_TEST(vz::pcpu_permille(e, sys) == 500u); // 250 of 500 s: 50.0%
    e.stat.start = 100000;                         // started "now": no age, no share
    BOOST_TEST(vz::pcpu_permille(e, sys) == 0u);
}

BOOST_AUTO_TEST_CASE(table_widths_alignment_and_truncation) {
    auto sys = test_system();
    vz::NameCache cache;
    vz::PsContext ctx{sys, cache};
    auto a = make_entry(7, 2501, 1, "init");
    auto b = make_entry(123456, 0, 123456, "averyveryverylong");
    a.cmdline = std::string("init\0", 5);
    b.cmdline = std::string("/usr/bin/a-very-long-command-name --with --many --arguments\0", 60);
    std::vector<const vz::ProcEntry *> rows{&a, &b};
    std::ostringstream out;
    vz::print_ps_table(out, vz::parse_ps_format("pid,ctid,args,comm", kCode), rows, ctx, {});
    BOOST_TEST(out.str() == "   PID CTID COMMAND                     COMMAND\n"
                            "     7 2501 init                        init\n"
                            "123456    0 /usr/bin/a-very-long-comman averyveryverylong\n");

    // The last column is never cut; no header when every header is empty.
    out.str("");
    auto bare = vz::parse_ps_format("ctid=", kCode);
    bare.push_back(vz::parse_ps_format("args=", kCode).front());
    vz::print_ps_table(out, bare, rows, ctx, {});
    BOOST_TEST(out.str() == "2501 init\n"
                            "   0 /usr/bin/a-very-long-command-name --with --many --arguments\n");

    // A line limit (the terminal's width) cuts every line.
    out.str("");
    vz::print_ps_table(out, vz::parse_ps_format("pid,args", kCode), rows, ctx, {true, 12});
    BOOST_TEST(out.str() == "   PID COMMA\n     7 init\n123456 /usr/\n");

    // A kernel thread shows its name in brackets; a zombie says so.
    auto k = make_entry(2, 0, 2, "kthreadd");
    auto z = make_entry(3, 0, 3, "gone");
    z.stat.state = 'Z';
    std::vector<const vz::ProcEntry *> odd{&k, &z};
    out.str("");
    vz::print_ps_table(out, vz::parse_ps_format("pid,cmd", kCode), odd, ctx, {});
    BOOST_TEST(out.str() == "  PID CMD\n    2 [kthreadd]\n    3 [gone] <defunct>\n");
}

BOOST_AUTO_TEST_CASE(json_rows_are_typed) {
    auto sys = test_system();
    vz::NameCache cache;
    vz::PsContext ctx{sys, cache};
    auto a = make_entry(7, 2501, 1, "in\"it");
    a.stat.start = 50000;
    a.stat.utime = 25000;
    std::vector<const vz::ProcEntry *> rows{&a};
    std::ostringstream out;
    vz::print_ps_json(out, vz::parse_ps_format("pid,ctid,vpid,pcpu,comm,start,time", kCode), rows,
                      ctx);
    BOOST_TEST(out.str() == "[\n  {\n    \"pid\": 7,\n    \"ctid\": 2501,\n    \"vpid\": 1,\n"
                            "    \"pcpu\": 50.0,\n    \"comm\": \"in\\\"it\",\n"
                            "    \"start\": 1000500,\n    \"time\": 250\n  }\n]\n");
    out.str("");
    vz::print_ps_json(out, vz::parse_ps_format("pid", kCode), {}, ctx);
    BOOST_TEST(out.str() == "[]\n");
}

BOOST_AUTO_TEST_CASE(selection_is_procps_or_restricted_by_ctid) {
    auto host = make_entry(100, 0, 100, "sleep");
    auto ct1 = make_entry(200, 2501, 5, "sleep");
    auto ct2 = make_entry(300, 2502, 5, "init");
    ct2.stat.ppid = 200;
    host.uid = 1000;

    vz::ProcSelection sel;
    sel.ctids = std::vector<vz::Ctid>{2501};
    BOOST_TEST(!sel.matches(host));
    BOOST_TEST(sel.matches(ct1));
    BOOST_TEST(!sel.matches(ct2));

    sel.ctids = std::vector<vz::Ctid>{0};
    BOOST_TEST(sel.matches(host));
    BOOST_TEST(!sel.matches(ct1));

    vz::ProcSelection by_name;
    by_name.commands = {"sleep"};
    by_name.ppids = {200};
    BOOST_TEST(by_name.matches(host));
    BOOST_TEST(by_name.matches(ct1));
    BOOST_TEST(by_name.matches(ct2)); // OR: child of 200
    by_name.ctids = std::vector<vz::Ctid>{2502};
    BOOST_TEST(!by_name.matches(ct1)); // -E restricts
    BOOST_TEST(by_name.matches(ct2));

    // No selection: the caller's uid and terminal.
    vz::ProcSelection none;
    none.self_euid = 1000;
    none.self_tty = 0;
    BOOST_TEST(none.needs_status());
    BOOST_TEST(none.matches(host));
    BOOST_TEST(!none.matches(ct1));
}

BOOST_AUTO_TEST_CASE(selection_lists) {
    BOOST_TEST(vz::parse_pid_list("1,2 3", kCode) == (std::vector<pid_t>{1, 2, 3}),
               boost::test_tools::per_element());
    BOOST_CHECK_THROW(vz::parse_pid_list("1,x", kCode), vz::Error);
    BOOST_CHECK_THROW(vz::parse_pid_list("0", kCode), vz::Error);
    BOOST_CHECK_THROW(vz::parse_pid_list(",", kCode), vz::Error);
    BOOST_TEST(vz::parse_user_list("root,0", kCode) == (std::vector<uid_t>{0, 0}),
               boost::test_tools::per_element());
    BOOST_CHECK_THROW(vz::parse_user_list("no-such-user-here", kCode), vz::Error);
    BOOST_TEST(vz::parse_ctid_list("0,2501", kCode) == (std::vector<vz::Ctid>{0, 2501}),
               boost::test_tools::per_element());
    BOOST_CHECK_THROW(vz::parse_ctid_list("abc", kCode), vz::Error);
}

BOOST_AUTO_TEST_CASE(top_units_sort_keys_and_order) {
    BOOST_TEST(vz::format_bytes(512 * 1024) == "512K");
    BOOST_TEST(vz::format_bytes(14 * 1024 * 1024 + 200 * 1024) == "14.2M");
    BOOST_TEST(vz::format_bytes(256ull << 20) == "256M");
    BOOST_TEST(vz::format_bytes(3ull << 30) == "3G");
    BOOST_TEST(vz::format_bytes(0) == "0K");
    BOOST_TEST(!vz::parse_top_sort("bogus"));
    BOOST_TEST((vz::parse_top_sort("mem") == vz::TopSort::Memory));

    std::vector<vz::TopRow> rows(3);
    rows[0].ctid = 3;
    rows[0].cpu = 5;
    rows[1].ctid = 1;
    rows[1].cpu = 90;
    rows[2].ctid = 2; // no figure yet: last
    vz::sort_top_rows(rows, vz::TopSort::Cpu);
    BOOST_TEST(rows[0].ctid == 1u);
    BOOST_TEST(rows[1].ctid == 3u);
    BOOST_TEST(rows[2].ctid == 2u);
    vz::sort_top_rows(rows, vz::TopSort::Ctid);
    BOOST_TEST(rows[0].ctid == 1u);
    BOOST_TEST(rows[2].ctid == 3u);
}

BOOST_AUTO_TEST_CASE(top_frame_layout) {
    vz::TopFrame frame;
    frame.now = 0;
    frame.uptime = 2 * 86400 + 3600 + 120;
    frame.loadavg = "0.10, 0.20, 0.30";
    frame.processes = 50;
    frame.ct_processes = 7;
    frame.host_cpu = 12.5;
    frame.cpus = 2;
    frame.mem_total_kb = 1024 * 1024;
    frame.mem_used_kb = 512 * 1024;
    vz::TopRow row;
    row.ctid = 2501;
    row.processes = 7;
    row.running = 1;
    row.cpu = 99.5;
    row.memory = 3 << 20;
    row.memory_limit = 256 << 20;
    row.failcnt = 4;
    row.failcnt_delta = 2;
    row.busiest = "sh/44";
    row.hostname = "ct.example.test";
    frame.rows.push_back(row);
    auto lines = vz::format_top(frame);
    BOOST_REQUIRE(lines.size() == 5u);
    BOOST_TEST(lines[0].find(" up 2 days, 1:02, load average: 0.10, 0.20, 0.30") !=
               std::string::npos);
    BOOST_TEST(lines[1] == "CTs: 1 running, processes: 50 (7 in CTs), CPU: 12.5% of 200%, "
                           "memory: 512M used of 1G");
    BOOST_TEST(lines[2].empty());
    BOOST_TEST(lines[3] == "      CTID NPROC  RUN   %CPU      MEM    LIMIT  %MEM  FAILCNT  +FAIL "
                           "BUSIEST              HOSTNAME");
    BOOST_TEST(lines[4] == "      2501     7    1   99.5       3M     256M   1.2        4     +2 "
                           "sh/44                ct.example.test");
    BOOST_TEST(vz::format_top(frame, 20)[3].size() == 20u);
}
