// The host's process table with each process's container: what vzps, vzpid,
// vzkillall and vztop show and act on.
//
// A refresh reads /proc once: one getdents pass over a /proc directory fd,
// then per process only the files the caller's columns need (stat always;
// status for users and CT pids; cmdline, cgroup and the namespace link only on
// request), each through openat on an O_PATH fd of /proc/<pid> into reused
// buffers. Holding that fd while reading means every field of an entry comes
// from the same process even if its pid is reused meanwhile: reads through the
// fd of a dead process fail, and the process is left out.
#pragma once

#include "vzkit/base/fd.h"
#include "vzkit/proc/ctid.h"
#include "vzkit/proc/parse.h"

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace vz {

// What to read beyond /proc/<pid>/stat.
struct ProcQuery {
    bool ctid = true;     // the container (ns/pid link, see vzkit/proc/ctid.h)
    bool status = false;  // uid, gid, locked memory and NSpid (hence vpid)
    bool cmdline = false; // the arguments
    bool cgroup = false;  // the raw /proc/<pid>/cgroup text
};

struct ProcEntry {
    ProcStat stat; // always read; stat.pid is the host pid
    Ctid ctid = 0; // 0: the host (ProcQuery::ctid)
    // ProcQuery::status
    bool have_status = false;
    uid_t uid = 0;  // effective
    uid_t ruid = 0; // real
    gid_t gid = 0;  // effective
    std::uint64_t locked_kb = 0;
    pid_t vpid = 0;      // pid inside its container (the host pid for the host's own)
    std::string cmdline; // ProcQuery::cmdline, raw: NUL-separated arguments
    std::string cgroup;  // ProcQuery::cgroup

    pid_t pid() const { return stat.pid; }
    // Kernel threads have PF_KTHREAD and no command line.
    bool kernel_thread() const;
};

// Host-wide figures the columns are computed against, read with each refresh.
struct ProcSystem {
    double uptime = 0;          // seconds since boot
    std::int64_t boot_time = 0; // epoch seconds (btime of /proc/stat)
    std::int64_t now = 0;       // epoch seconds when the table was read
    std::uint64_t mem_total_kb = 0;
    long hz = 100; // clock ticks per second
    long page_kb = 4;
};

// Reads single processes. Owns the /proc fd, the buffers and the resolver.
class ProcReader {
  public:
    explicit ProcReader(ProcQuery query, const std::filesystem::path &proc = "/proc");
    ProcReader(ProcQuery query, std::unique_ptr<CtResolver> resolver,
               const std::filesystem::path &proc);

    const ProcQuery &query() const { return query_; }
    int proc_fd() const { return proc_fd_.get(); }
    CtResolver &cts() { return *resolver_; }
    const CtResolver &cts() const { return *resolver_; }

    // Which containers run now; call before reading processes (ProcTable
    // does it on every refresh).
    void refresh_cts();
    // pid's entry (a thread id works too), or nullopt when there is no such
    // process (any more).
    std::optional<ProcEntry> read(pid_t pid);
    // Same, into an entry whose buffers are reused; false when gone.
    bool read_into(pid_t pid, ProcEntry &out);
    // Reads through an open /proc/<pid> directory fd.
    bool read_at(int pid_dir, ProcEntry &out);

  private:
    ProcQuery query_;
    UniqueFd proc_fd_;
    std::unique_ptr<CtResolver> resolver_;
    std::string buf_;
    ProcStatus status_;
};

// Every process of the host, read in one pass.
class ProcTable {
  public:
    explicit ProcTable(ProcQuery query, const std::filesystem::path &proc = "/proc");
    ProcTable(ProcQuery query, std::unique_ptr<CtResolver> resolver,
              const std::filesystem::path &proc);

    // Reads /proc again: the running containers, then every process.
    void refresh();
    // Ascending by pid.
    std::span<const ProcEntry> entries() const { return {entries_.data(), size_}; }
    const ProcEntry *find(pid_t pid) const;
    const ProcSystem &system() const { return system_; }
    ProcReader &reader() { return reader_; }
    const CtResolver &cts() const { return reader_.cts(); }

  private:
    void read_system();
    void scan();

    ProcReader reader_;
    // Entries are kept between refreshes so that their strings keep their
    // capacity; only the first size_ are current.
    std::vector<ProcEntry> entries_;
    std::size_t size_ = 0;
    std::vector<char> dents_;
    ProcSystem system_;
    std::string buf_;
};

} // namespace vz
