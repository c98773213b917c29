// vzbench-loops KIND ITERATIONS [PREFIX]: times a tight loop of one system-call
// pair (or, for smallfile, the three calls that make a small file) and prints
// "KIND ITERATIONS NS_PER_OP". Runs inside a container (statically linked: the
// busybox template has no libc), where the kernel module charges each of these
// calls to the container's beancounters; bench/vm/ compares the figures with
// the module loaded and not, and with a disk quota on the tree and not. The
// view kinds (meminfo, stat, uptime, loadavg, cpuinfo, online: open+read+close
// of the file under PREFIX, default /; sysinfo and affinity: one call) time
// what a container's reader pays for its machine's figures
// (bench/vm/proc_views.sh).
#include <sys/socket.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>

#include <sched.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>
#include <string_view>

namespace {

// What the open loop opens: a regular file every busybox root has, so the
// figure carries no device-cgroup check.
constexpr const char *kOpenPath = "/etc/passwd";

bool fork_exit() {
    const pid_t pid = fork();
    if (pid < 0)
        return false;
    if (pid == 0)
        _exit(0);
    int status = 0;
    return waitpid(pid, &status, 0) == pid;
}

bool open_close() {
    const int fd = open(kOpenPath, O_RDONLY | O_CLOEXEC);
    return fd >= 0 && close(fd) == 0;
}

bool socket_close(int domain, int type) {
    const int fd = socket(domain, type | SOCK_CLOEXEC, 0);
    return fd >= 0 && close(fd) == 0;
}

bool tcp_socket() {
    return socket_close(AF_INET, SOCK_STREAM);
}
bool unix_socket() {
    return socket_close(AF_UNIX, SOCK_DGRAM);
}

// smallfile: a new file f<N> in the current directory with one 4 KB block,
// the unit a file system allocates and a disk quota charges.
bool small_file() {
    static long next = 0;
    static const char block[4096] = {};
    char name[32];
    std::snprintf(name, sizeof name, "f%ld", next++);
    const int fd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        return false;
    const bool written = write(fd, block, sizeof block) == static_cast<ssize_t>(sizeof block);
    return close(fd) == 0 && written;
}

// Where the view files are read: "/" or lxcfs's directory.
std::string g_prefix = "/";

bool read_file(const char *relative) {
    static char buf[65536];
    const std::string path = g_prefix + relative;
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) {
    }
    return close(fd) == 0 && n == 0;
}

bool meminfo() {
    return read_file("proc/meminfo");
}
bool stat_file() {
    return read_file("proc/stat");
}
bool uptime() {
    return read_file("proc/uptime");
}
bool loadavg() {
    return read_file("proc/loadavg");
}
bool cpuinfo() {
    return read_file("proc/cpuinfo");
}
bool online() {
    return read_file("sys/devices/system/cpu/online");
}
bool sysinfo_call() {
    struct sysinfo si {};
    return sysinfo(&si) == 0;
}
bool affinity() {
    cpu_set_t set;
    return sched_getaffinity(0, sizeof set, &set) == 0;
}

struct Loop {
    std::string_view name;
    bool (*step)();
};

// numproc, numfile, numtcpsock and numothersock are the resources the module
// counts on these paths.
constexpr Loop kLoops[] = {
    {"fork", fork_exit},
    {"open", open_close},
    {"tcpsock", tcp_socket},
    {"unixsock", unix_socket},
    {"smallfile", small_file},
    {"meminfo", meminfo},
    {"stat", stat_file},
    {"uptime", uptime},
    {"loadavg", loadavg},
    {"cpuinfo", cpuinfo},
    {"online", online},
    {"sysinfo", sysinfo_call},
    {"affinity", affinity},
};

long long now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<long long>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

int usage() {
    std::fputs("usage: vzbench-loops fork|open|tcpsock|unixsock|smallfile|meminfo|stat|uptime|"
               "loadavg|cpuinfo|online|sysinfo|affinity ITERATIONS [PREFIX]\n",
               stderr);
    return 2;
}

} // namespace

int main(int argc, char **argv) {
    if (argc != 3 && argc != 4)
        return usage();
    if (argc == 4)
        g_prefix = std::string(argv[3]) + "/";
    const std::string_view kind = argv[1];
    const std::string_view count_arg = argv[2];
    long iterations = 0;
    const auto [end, ec] =
        std::from_chars(count_arg.data(), count_arg.data() + count_arg.size(), iterations);
    if (ec != std::errc() || end != count_arg.data() + count_arg.size() || iterations <= 0)
        return usage();
    for (const Loop &loop : kLoops) {
        if (loop.name != kind)
            continue;
        const long long start = now_ns();
        for (long i = 0; i < iterations; ++i) {
            if (!loop.step()) {
                std::fprintf(stderr, "vzbench-loops: %s failed at iteration %ld: %s\n", argv[1], i,
                             std::strerror(errno));
                return 1;
            }
        }
        const long long elapsed = now_ns() - start;
        std::printf("%s %ld %.1f\n", argv[1], iterations,
                    static_cast<double>(elapsed) / static_cast<double>(iterations));
        return 0;
    }
    return usage();
}
