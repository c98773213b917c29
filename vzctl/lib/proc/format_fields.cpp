// vzps's field table: procps's names, headers, widths and formats (procps-ng
// semantics: %CPU and C over the process's lifetime, TIME as
// [DD-]HH:MM:SS, STARTED as a time today or a date, STAT with its flag
// letters), plus CTID and VPID.
#include "vzkit/proc/format.h"

#include <grp.h>
#include <pwd.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <ctime>
#include <type_traits>

namespace vz {
namespace {

using enum PsAlign;

std::uint64_t cpu_ticks(const ProcEntry &e) {
    return e.stat.utime + e.stat.stime;
}

// Whole seconds since the process started, as procps counts them.
std::uint64_t age_seconds(const ProcEntry &e, const ProcSystem &sys) {
    const double started = static_cast<double>(e.stat.start) / static_cast<double>(sys.hz);
    return sys.uptime > started ? static_cast<std::uint64_t>(sys.uptime - started) : 0;
}

std::int64_t start_epoch(const ProcEntry &e, const ProcSystem &sys) {
    return sys.boot_time +
           static_cast<std::int64_t>(e.stat.start / static_cast<std::uint64_t>(sys.hz));
}

std::string strftime_local(std::int64_t epoch, const char *format) {
    const std::time_t t = epoch;
    std::tm tm{};
    ::localtime_r(&t, &tm);
    char buf[64];
    const std::size_t n = std::strftime(buf, sizeof buf, format, &tm);
    return std::string(buf, n);
}

// The name of id in the user or group database (getpwuid_r, getgrgid_r), or
// the number when it has none.
template <typename Entry, typename Id>
std::string lookup_name(Id id, int (*lookup)(Id, Entry *, char *, std::size_t, Entry **),
                        char *Entry::*name) {
    Entry entry{}, *found = nullptr;
    std::array<char, 4096> buf{};
    if (lookup(id, &entry, buf.data(), buf.size(), &found) == 0 && found)
        return entry.*name;
    return std::to_string(id);
}

std::string lookup_user(uid_t uid) {
    return lookup_name(uid, ::getpwuid_r, &passwd::pw_name);
}

std::string lookup_group(gid_t gid) {
    return lookup_name(gid, ::getgrgid_r, &group::gr_name);
}

// ---- values --------------------------------------------------------------------

// A number straight from a member of the entry or of its stat.
template <auto Member> PsValue int_of(const ProcEntry &e, PsContext &) {
    if constexpr (std::is_invocable_v<decltype(Member), const ProcStat &>)
        return static_cast<std::int64_t>(e.stat.*Member);
    else
        return static_cast<std::int64_t>(e.*Member);
}
template <auto Member> PsValue user_of(const ProcEntry &e, PsContext &c) {
    return c.names.user(e.*Member);
}
PsValue v_group(const ProcEntry &e, PsContext &c) {
    return c.names.group(e.gid);
}
PsValue v_pcpu(const ProcEntry &e, PsContext &c) {
    return static_cast<double>(pcpu_permille(e, c.system)) / 10.0;
}
PsValue v_c(const ProcEntry &e, PsContext &c) {
    const std::uint64_t age = age_seconds(e, c.system);
    const std::uint64_t pct =
        age ? cpu_ticks(e) * 100 / static_cast<std::uint64_t>(c.system.hz) / age : 0;
    return static_cast<std::int64_t>(std::min<std::uint64_t>(pct, 99));
}
std::uint64_t rss_kb(const ProcEntry &e, const ProcSystem &sys) {
    return e.stat.rss * static_cast<std::uint64_t>(sys.page_kb);
}
std::uint64_t pmem_permille(const ProcEntry &e, const ProcSystem &sys) {
    if (sys.mem_total_kb == 0)
        return 0;
    return std::min<std::uint64_t>(rss_kb(e, sys) * 1000 / sys.mem_total_kb, 999);
}
PsValue v_pmem(const ProcEntry &e, PsContext &c) {
    return static_cast<double>(pmem_permille(e, c.system)) / 10.0;
}
PsValue v_rss(const ProcEntry &e, PsContext &c) {
    return static_cast<std::int64_t>(rss_kb(e, c.system));
}
PsValue v_vsz(const ProcEntry &e, PsContext &) {
    return static_cast<std::int64_t>(e.stat.vsize / 1024);
}
PsValue v_stat(const ProcEntry &e, PsContext &) {
    return format_stat(e);
}
PsValue v_state(const ProcEntry &e, PsContext &) {
    return std::string(1, e.stat.state);
}
PsValue v_pri(const ProcEntry &e, PsContext &) {
    return static_cast<std::int64_t>(39 - e.stat.priority);
}
PsValue v_tty(const ProcEntry &e, PsContext &) {
    return format_tty(e.stat.tty);
}
PsValue v_time(const ProcEntry &e, PsContext &c) {
    return static_cast<std::int64_t>(cpu_ticks(e) / static_cast<std::uint64_t>(c.system.hz));
}
PsValue v_etime(const ProcEntry &e, PsContext &c) {
    return static_cast<std::int64_t>(age_seconds(e, c.system));
}
PsValue v_start(const ProcEntry &e, PsContext &c) {
    return start_epoch(e, c.system);
}
PsValue v_comm(const ProcEntry &e, PsContext &) {
    return e.stat.comm;
}
PsValue v_args(const ProcEntry &e, PsContext &) {
    if (!e.cmdline.empty())
        return format_cmdline(e.cmdline);
    return "[" + e.stat.comm + "]";
}
PsValue v_cgroup(const ProcEntry &e, PsContext &) {
    return format_cgroup_column(e.cgroup);
}

// ---- display text where it differs from the value ---------------------------------

std::string t_pcpu(const ProcEntry &e, PsContext &c) {
    return format_permille(pcpu_permille(e, c.system));
}
std::string t_pmem(const ProcEntry &e, PsContext &c) {
    return format_permille(pmem_permille(e, c.system));
}
std::string t_time(const ProcEntry &e, PsContext &c) {
    return format_cputime(cpu_ticks(e) / static_cast<std::uint64_t>(c.system.hz));
}
std::string t_etime(const ProcEntry &e, PsContext &c) {
    return format_elapsed(age_seconds(e, c.system));
}
// STARTED: the time when within the last 24 hours, else the date.
std::string t_start(const ProcEntry &e, PsContext &c) {
    const std::int64_t t = start_epoch(e, c.system);
    return strftime_local(t, c.system.now - t > 24 * 3600 ? "%b %d" : "%H:%M:%S");
}
// STIME: hours and minutes today, month and day this year, else the year.
std::string t_stime(const ProcEntry &e, PsContext &c) {
    const std::time_t start = start_epoch(e, c.system), now = c.system.now;
    std::tm s{}, n{};
    ::localtime_r(&start, &s);
    ::localtime_r(&now, &n);
    if (s.tm_year == n.tm_year && s.tm_yday == n.tm_yday)
        return strftime_local(start, "%H:%M");
    return strftime_local(start, s.tm_year == n.tm_year ? "%b%d" : "%Y");
}
std::string t_lstart(const ProcEntry &e, PsContext &c) {
    return strftime_local(start_epoch(e, c.system), "%a %b %e %H:%M:%S %Y");
}
// A zombie's name is all that is left of it.
std::string t_comm(const ProcEntry &e, PsContext &) {
    return e.stat.state == 'Z' ? e.stat.comm + " <defunct>" : e.stat.comm;
}
std::string t_args(const ProcEntry &e, PsContext &c) {
    if (e.stat.state == 'Z')
        return "[" + e.stat.comm + "] <defunct>";
    return std::get<std::string>(v_args(e, c));
}

constexpr unsigned kS = kPsNeedStatus;

constexpr auto kFields = std::to_array<PsField>({
    {"pid", "PID", Right, 5, 0, false, int_of<&ProcStat::pid>, nullptr},
    {"ppid", "PPID", Right, 5, 0, false, int_of<&ProcStat::ppid>, nullptr},
    {"pgid", "PGID", Right, 5, 0, false, int_of<&ProcStat::pgrp>, nullptr},
    {"sid", "SID", Right, 5, 0, false, int_of<&ProcStat::session>, nullptr},
    {"tpgid", "TPGID", Right, 5, 0, false, int_of<&ProcStat::tpgid>, nullptr},
    {"ctid", "CTID", Right, 4, 0, false, int_of<&ProcEntry::ctid>, nullptr},
    {"vpid", "VPID", Right, 5, kS, false, int_of<&ProcEntry::vpid>, nullptr},
    {"user", "USER", Left, 8, kS, false, user_of<&ProcEntry::uid>, nullptr},
    {"ruser", "RUSER", Left, 8, kS, false, user_of<&ProcEntry::ruid>, nullptr},
    {"uid", "UID", Right, 5, kS, false, int_of<&ProcEntry::uid>, nullptr},
    {"ruid", "RUID", Right, 5, kS, false, int_of<&ProcEntry::ruid>, nullptr},
    {"group", "GROUP", Left, 8, kS, false, v_group, nullptr},
    {"gid", "GID", Right, 5, kS, false, int_of<&ProcEntry::gid>, nullptr},
    {"pcpu", "%CPU", Right, 4, 0, false, v_pcpu, t_pcpu},
    {"c", "C", Right, 2, 0, false, v_c, nullptr},
    {"pmem", "%MEM", Right, 4, 0, false, v_pmem, t_pmem},
    {"rss", "RSS", Right, 5, 0, false, v_rss, nullptr},
    {"vsz", "VSZ", Right, 6, 0, false, v_vsz, nullptr},
    {"stat", "STAT", Left, 4, kS, false, v_stat, nullptr},
    {"s", "S", Left, 1, 0, false, v_state, nullptr},
    {"ni", "NI", Right, 3, 0, false, int_of<&ProcStat::nice>, nullptr},
    {"pri", "PRI", Right, 3, 0, false, v_pri, nullptr},
    {"nlwp", "NLWP", Right, 4, 0, false, int_of<&ProcStat::threads>, nullptr},
    {"psr", "PSR", Right, 3, 0, false, int_of<&ProcStat::processor>, nullptr},
    {"tty", "TT", Left, 8, 0, false, v_tty, nullptr},
    {"time", "TIME", Right, 8, 0, false, v_time, t_time},
    {"etime", "ELAPSED", Right, 11, 0, false, v_etime, t_etime},
    {"etimes", "ELAPSED", Right, 7, 0, false, v_etime, nullptr},
    {"start", "STARTED", Right, 8, 0, false, v_start, t_start},
    {"stime", "STIME", Left, 5, 0, false, v_start, t_stime},
    {"lstart", "STARTED", Left, 24, 0, false, v_start, t_lstart},
    {"comm", "COMMAND", Left, 15, 0, false, v_comm, t_comm},
    {"args", "COMMAND", Left, 27, kPsNeedCmdline, true, v_args, t_args},
    {"cgroup", "CGROUP", Left, 27, kPsNeedCgroup, true, v_cgroup, nullptr},
});

} // namespace

std::span<const PsField> ps_fields() {
    return kFields;
}

const std::string &NameCache::user(uid_t uid) {
    auto it = users_.find(uid);
    if (it == users_.end())
        it = users_.emplace(uid, lookup_user(uid)).first;
    return it->second;
}

const std::string &NameCache::group(gid_t gid) {
    auto it = groups_.find(gid);
    if (it == groups_.end())
        it = groups_.emplace(gid, lookup_group(gid)).first;
    return it->second;
}

std::string format_cputime(std::uint64_t seconds) {
    const std::uint64_t days = seconds / 86400;
    char buf[48];
    if (days)
        std::snprintf(buf, sizeof buf, "%llu-%02llu:%02llu:%02llu", (unsigned long long)days,
                      (unsigned long long)(seconds / 3600 % 24),
                      (unsigned long long)(seconds / 60 % 60), (unsigned long long)(seconds % 60));
    else
        std::snprintf(buf, sizeof buf, "%02llu:%02llu:%02llu", (unsigned long long)(seconds / 3600),
                      (unsigned long long)(seconds / 60 % 60), (unsigned long long)(seconds % 60));
    return buf;
}

std::string format_elapsed(std::uint64_t seconds) {
    const std::uint64_t days = seconds / 86400, hours = seconds / 3600 % 24;
    char buf[48];
    if (days)
        return format_cputime(seconds);
    if (hours)
        std::snprintf(buf, sizeof buf, "%02llu:%02llu:%02llu", (unsigned long long)hours,
                      (unsigned long long)(seconds / 60 % 60), (unsigned long long)(seconds % 60));
    else
        std::snprintf(buf, sizeof buf, "%02llu:%02llu", (unsigned long long)(seconds / 60),
                      (unsigned long long)(seconds % 60));
    return buf;
}

std::string format_tty(unsigned tty_nr) {
    if (tty_nr == 0)
        return "?";
    const unsigned major = ::major(tty_nr), minor = ::minor(tty_nr);
    // Unix98 ptys use majors 136-143, 256 minors each.
    if (major >= 136 && major <= 143)
        return "pts/" + std::to_string((major - 136) * 256 + minor);
    if (major == 4)
        return minor < 64 ? "tty" + std::to_string(minor) : "ttyS" + std::to_string(minor - 64);
    if (major == 5 && minor == 1)
        return "console";
    return "?";
}

std::string format_stat(const ProcEntry &e) {
    std::string out(1, e.stat.state);
    if (e.stat.nice < 0)
        out += '<';
    else if (e.stat.nice > 0)
        out += 'N';
    if (e.locked_kb > 0)
        out += 'L';
    if (e.stat.session == e.stat.pid)
        out += 's';
    if (e.stat.threads > 1)
        out += 'l';
    if (e.stat.tty != 0 && e.stat.pgrp == e.stat.tpgid)
        out += '+';
    return out;
}

std::uint64_t pcpu_permille(const ProcEntry &e, const ProcSystem &sys) {
    const std::uint64_t age = age_seconds(e, sys);
    if (age == 0 || sys.hz <= 0)
        return 0;
    return cpu_ticks(e) * 1000 / static_cast<std::uint64_t>(sys.hz) / age;
}

std::string format_permille(std::uint64_t permille) {
    if (permille > 999)
        return std::to_string(permille / 10);
    return std::to_string(permille / 10) + "." + std::to_string(permille % 10);
}

} // namespace vz
