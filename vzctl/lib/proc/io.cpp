#include "proc/io.h"

#include "vzkit/proc/parse.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>

namespace vz::procio {
namespace {

// Most /proc files fit at once; cmdline and a v1 cgroup list may not.
constexpr std::size_t kInitialRead = 4096;

bool read_file_at(int dir, const char *name, std::string &buf, bool one_piece) {
    UniqueFd fd(::openat(dir, name, O_RDONLY | O_CLOEXEC | O_NOCTTY));
    buf.clear();
    if (!fd)
        return false;
    std::size_t used = 0;
    for (;;) {
        if (buf.size() < used + kInitialRead)
            buf.resize(std::max(used + kInitialRead, buf.capacity()));
        const std::size_t room = buf.size() - used;
        const ssize_t n = ::read(fd.get(), buf.data() + used, room);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            buf.clear();
            return false;
        }
        used += static_cast<std::size_t>(n);
        if (n == 0 || (one_piece && static_cast<std::size_t>(n) < room))
            break;
    }
    buf.resize(used);
    return true;
}

} // namespace

bool read_at(int dir, const char *name, std::string &buf) {
    return read_file_at(dir, name, buf, false);
}

bool read_whole_at(int dir, const char *name, std::string &buf) {
    return read_file_at(dir, name, buf, true);
}

bool readlink_at(int dir, const char *name, std::string &buf) {
    buf.resize(std::max<std::size_t>(buf.capacity(), 256));
    for (;;) {
        const ssize_t n = ::readlinkat(dir, name, buf.data(), buf.size());
        if (n < 0) {
            buf.clear();
            return false;
        }
        if (static_cast<std::size_t>(n) < buf.size()) {
            buf.resize(static_cast<std::size_t>(n));
            return true;
        }
        buf.resize(buf.size() * 2); // possibly truncated: retry larger
    }
}

std::optional<std::uint64_t> ns_inode_at(int dir, const char *type, std::string &buf) {
    char path[32] = "ns/";
    auto len = std::char_traits<char>::length(type);
    std::char_traits<char>::copy(path + 3, type, std::min<std::size_t>(len, sizeof path - 4));
    if (!readlink_at(dir, path, buf))
        return std::nullopt;
    auto inode = parse_ns_link(buf, type);
    if (!inode)
        errno = EINVAL;
    return inode;
}

UniqueFd open_pid_dir(int proc_fd, pid_t pid) {
    char name[16];
    auto [end, ec] = std::to_chars(name, name + sizeof name - 1, pid);
    (void)ec;
    *end = '\0';
    return UniqueFd(::openat(proc_fd, name, O_PATH | O_DIRECTORY | O_CLOEXEC));
}

bool process_gone(int err) {
    return err == ENOENT || err == ESRCH;
}

} // namespace vz::procio
