// ProcReader and ProcTable (see proc/table.h).
#include "vzkit/proc/table.h"

#include "proc/io.h"

#include "vzkit/base/error.h"
#include "vzkit/base/util.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>

namespace vz {
namespace {

constexpr unsigned kPfKthread = 0x00200000; // PF_KTHREAD of include/linux/sched.h
// getdents64 buffer: about 2000 /proc entries per call.
constexpr std::size_t kDentsBuffer = 64 * 1024;

UniqueFd open_proc(const std::filesystem::path &proc) {
    UniqueFd fd(::open(proc.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd)
        throw_errno(VZ_SYSTEM_ERROR, "Unable to open " + proc.string());
    return fd;
}

std::optional<pid_t> pid_of_name(const char *name) {
    auto value = parse_number<std::uint64_t>(name);
    if (!value || *value == 0 || *value > 0x7fffffff)
        return std::nullopt;
    return static_cast<pid_t>(*value);
}

std::optional<std::int64_t> boot_time(std::string_view proc_stat) {
    constexpr std::string_view kKey = "\nbtime ";
    const auto at = proc_stat.find(kKey);
    if (at == std::string_view::npos)
        return std::nullopt;
    auto rest = proc_stat.substr(at + kKey.size());
    auto value = parse_number<std::uint64_t>(rest.substr(0, rest.find('\n')));
    return value ? std::optional<std::int64_t>(static_cast<std::int64_t>(*value)) : std::nullopt;
}

} // namespace

bool ProcEntry::kernel_thread() const {
    return (stat.flags & kPfKthread) != 0;
}

// ---- ProcReader ----------------------------------------------------------------

ProcReader::ProcReader(ProcQuery query, const std::filesystem::path &proc)
    : query_(query), proc_fd_(open_proc(proc)), resolver_(make_ct_resolver(proc_fd_.get())) {}

ProcReader::ProcReader(ProcQuery query, std::unique_ptr<CtResolver> resolver,
                       const std::filesystem::path &proc)
    : query_(query), proc_fd_(open_proc(proc)), resolver_(std::move(resolver)) {}

void ProcReader::refresh_cts() {
    if (query_.ctid)
        resolver_->refresh();
}

std::optional<ProcEntry> ProcReader::read(pid_t pid) {
    ProcEntry entry;
    if (!read_into(pid, entry))
        return std::nullopt;
    return entry;
}

bool ProcReader::read_into(pid_t pid, ProcEntry &out) {
    UniqueFd dir = procio::open_pid_dir(proc_fd_.get(), pid);
    return dir && read_at(dir.get(), out);
}

bool ProcReader::read_at(int pid_dir, ProcEntry &out) {
    if (!procio::read_whole_at(pid_dir, "stat", buf_) || !parse_proc_stat(buf_, out.stat))
        return false;
    out.have_status = false;
    status_.nspid.clear();
    if (query_.status) {
        if (!procio::read_whole_at(pid_dir, "status", buf_) || !parse_proc_status(buf_, status_))
            return false;
        out.have_status = true;
        out.uid = status_.euid;
        out.ruid = status_.ruid;
        out.gid = status_.egid;
        out.locked_kb = status_.locked_kb;
    }
    out.ctid = 0;
    if (query_.ctid) {
        auto ctid = resolver_->ctid_of(pid_dir, status_.nspid.size());
        if (!ctid)
            return false;
        out.ctid = *ctid;
    }
    out.vpid = 0;
    if (query_.status) {
        // The pid at the container's level of NSpid; the host's own keep theirs.
        const RunningCt *ct = out.ctid != 0 ? resolver_->find(out.ctid) : nullptr;
        const std::size_t level = ct ? ct->level : (query_.ctid ? 0 : 1);
        out.vpid = level < status_.nspid.size() ? status_.nspid[level] : out.stat.pid;
    }
    // A vanished process leaves these empty, which is what ps shows too.
    if (query_.cmdline)
        procio::read_at(pid_dir, "cmdline", out.cmdline);
    if (query_.cgroup)
        procio::read_whole_at(pid_dir, "cgroup", out.cgroup);
    return true;
}

// ---- ProcTable -----------------------------------------------------------------

ProcTable::ProcTable(ProcQuery query, const std::filesystem::path &proc) : reader_(query, proc) {}

ProcTable::ProcTable(ProcQuery query, std::unique_ptr<CtResolver> resolver,
                     const std::filesystem::path &proc)
    : reader_(query, std::move(resolver), proc) {}

void ProcTable::refresh() {
    read_system();
    reader_.refresh_cts();
    scan();
}

const ProcEntry *ProcTable::find(pid_t pid) const {
    auto all = entries();
    auto it = std::ranges::lower_bound(all, pid, {}, &ProcEntry::pid);
    return it != all.end() && it->pid() == pid ? &*it : nullptr;
}

void ProcTable::read_system() {
    const int proc = reader_.proc_fd();
    system_.now = std::time(nullptr);
    system_.hz = ::sysconf(_SC_CLK_TCK);
    system_.page_kb = ::sysconf(_SC_PAGESIZE) / 1024;
    if (procio::read_at(proc, "uptime", buf_))
        system_.uptime = parse_uptime(buf_).value_or(0);
    if (procio::read_at(proc, "stat", buf_))
        system_.boot_time = boot_time(buf_).value_or(0);
    if (procio::read_at(proc, "meminfo", buf_))
        system_.mem_total_kb = parse_meminfo_kb(buf_, "MemTotal").value_or(0);
}

void ProcTable::scan() {
    const int proc = reader_.proc_fd();
    if (::lseek(proc, 0, SEEK_SET) != 0)
        throw_errno(VZ_SYSTEM_ERROR, "Unable to rewind /proc");
    dents_.resize(kDentsBuffer);
    size_ = 0;
    for (;;) {
        const ssize_t n = ::getdents64(proc, dents_.data(), dents_.size());
        if (n < 0)
            throw_errno(VZ_SYSTEM_ERROR, "Unable to list /proc");
        if (n == 0)
            break;
        for (ssize_t at = 0; at < n;) {
            const auto *dent = reinterpret_cast<const dirent64 *>(dents_.data() + at);
            at += dent->d_reclen;
            auto pid = pid_of_name(dent->d_name);
            if (!pid)
                continue;
            if (size_ == entries_.size())
                entries_.emplace_back();
            if (reader_.read_into(*pid, entries_[size_]))
                ++size_;
        }
    }
    // /proc lists pids in ascending order; sorting is only a safety net.
    auto current = std::span(entries_.data(), size_);
    if (!std::ranges::is_sorted(current, {}, &ProcEntry::pid))
        std::ranges::sort(current, {}, &ProcEntry::pid);
}

} // namespace vz
