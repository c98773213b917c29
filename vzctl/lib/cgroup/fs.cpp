// Control-file I/O for the cgroup layer. Cgroup files take exactly one value
// per write() and must never be created, so util's write_file (which creates
// missing files and maps every failure to VZ_SYSTEM_ERROR) does not fit here.
#include "cgroup/internal.h"

#include "vzkit/base/error.h"
#include "vzkit/base/fd.h"
#include "vzkit/base/util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>

namespace vz::cg {
namespace {

// A group whose last task is still finishing its exit can refuse rmdir for a
// moment although cgroup.procs is already empty; that EBUSY is retried this
// long. EBUSY with tasks listed is final.
constexpr auto kRmdirGrace = std::chrono::milliseconds(1000);

void append_procs(const fs::path &dir, std::vector<pid_t> &out) {
    auto text = read_file(dir / "cgroup.procs");
    if (!text)
        return;
    for (const auto &line : split(*text, '\n')) {
        if (auto pid = parse_number<pid_t>(line))
            out.push_back(*pid);
    }
}

int rmdir_retrying(const fs::path &dir) {
    const auto deadline = Clock::now() + kRmdirGrace;
    int err = 0;
    wait_until(deadline, [&] {
        err = ::rmdir(dir.c_str()) == 0 ? 0 : errno;
        return err != EBUSY || !procs_recursive(dir).empty();
    });
    return err;
}

// One write() of value to fd, retried on EINTR: 0 or the errno. write() of
// nothing never reaches the kernel; a lone newline is how an empty value ("no
// CPUs of my own" in v2 cpuset.cpus) is written.
int write_record(int fd, std::string_view value) {
    if (value.empty())
        value = "\n";
    ssize_t n;
    do {
        n = ::write(fd, value.data(), value.size());
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        return errno;
    return static_cast<std::size_t>(n) == value.size() ? 0 : EIO;
}

[[noreturn]] void write_failed(const fs::path &file, std::string_view value, int err, int code) {
    throw Error(code, "Unable to write " + std::string(value) + " to " + file.string() + ": " +
                          std::strerror(err));
}

} // namespace

bool is_dir(const fs::path &path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::optional<std::string> read_value(const fs::path &file) {
    auto text = read_file(file);
    if (!text)
        return std::nullopt;
    return std::string(trim(*text));
}

std::optional<std::uint64_t> read_u64(const fs::path &file) {
    auto text = read_value(file);
    if (!text)
        return std::nullopt;
    return parse_number<std::uint64_t>(*text);
}

int try_write_value(const fs::path &file, std::string_view value) {
    UniqueFd fd(::open(file.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd)
        return errno;
    return write_record(fd.get(), value);
}

void write_value(const fs::path &file, std::string_view value, int code) {
    if (int err = try_write_value(file, value); err != 0)
        write_failed(file, value, err, code);
}

void write_values(const fs::path &file, const std::vector<std::string> &values, int code) {
    if (values.empty())
        return;
    UniqueFd fd(::open(file.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd)
        write_failed(file, values.front(), errno, code);
    for (const auto &value : values)
        if (int err = write_record(fd.get(), value); err != 0)
            write_failed(file, value, err, code);
}

bool make_dir(const fs::path &dir) {
    if (::mkdir(dir.c_str(), 0755) == 0)
        return true;
    if (errno == EEXIST && is_dir(dir))
        return false;
    throw_errno(VZ_RESOURCE_ERROR, "Unable to create cgroup " + dir.string());
}

std::vector<fs::path> subgroups(const fs::path &dir) {
    std::vector<fs::path> out;
    std::error_code ec;
    // Group directories cannot be symlinks, so a plain recursive walk is safe;
    // groups vanishing meanwhile (a dying container) just end the walk early.
    for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        if (it->is_directory(ec) && !it->is_symlink(ec))
            out.push_back(it->path());
    }
    return out;
}

std::vector<pid_t> procs_recursive(const fs::path &dir) {
    std::vector<pid_t> out;
    if (!is_dir(dir))
        return out;
    append_procs(dir, out);
    for (const auto &sub : subgroups(dir))
        append_procs(sub, out);
    return out;
}

void remove_tree(const fs::path &dir) {
    if (!is_dir(dir))
        return;
    auto groups = subgroups(dir);
    // Children first: the kernel refuses to remove a group that has children.
    std::ranges::reverse(groups);
    groups.push_back(dir);
    for (const auto &group : groups) {
        int err = rmdir_retrying(group);
        if (err != 0 && err != ENOENT)
            throw Error(VZ_SYSTEM_ERROR,
                        "Unable to remove cgroup " + group.string() + ": " + std::strerror(err));
    }
}

void pause_briefly(unsigned round) {
    constexpr unsigned kMaxShift = 3; // 1, 2, 4, 8, then 10 ms
    const auto pause = std::chrono::milliseconds(1u << std::min(round, kMaxShift));
    std::this_thread::sleep_for(round > kMaxShift ? std::chrono::milliseconds(10) : pause);
}

} // namespace vz::cg
