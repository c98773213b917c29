// vzbench-viewscale N SECONDS CGROUP_DIR FIRST_VEID MEMTOTAL_KB: N containers
// reading /proc/meminfo in a loop at once. Each reader is the init of a pid
// namespace of its own, registered with the vzkit module as container
// FIRST_VEID + i on the cgroup CGROUP_DIR (whose memory.max the caller set),
// so the module answers each read from that container; FIRST_VEID 0 registers
// none (the kernel's own answer, the baseline). All start together, read for
// SECONDS, and report how many reads they made; a read whose MemTotal is not
// MEMTOTAL_KB (0: any) counts as an error. Prints
//   "N WALL_SECONDS READS ERRORS BUSY_CPUS NS_PER_READ"
// where NS_PER_READ is the CPU time per read: BUSY_CPUS (min(N, CPUs)) × the
// wall time from the start until the last reader reported, over READS (with
// 1000 readers the last ones start their SECONDS later than the first). bench/vm/proc_views.sh runs it with N = 1 ... 1000.
#include <linux/vzkit.h>

#include <sys/ioctl.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <vector>

namespace {

struct Reader {
    int start_fd;  // read end; EOF once the parent closes the write end: go
    int start_write;
    int result_fd; // where the counts go
    double seconds;
    long memtotal_kb;
};

struct Counts {
    std::uint64_t reads;
    std::uint64_t errors;
};

double now_s() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// MemTotal of one read, or -1.
long read_memtotal(char *buf, std::size_t size) {
    const int fd = open("/proc/meminfo", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    std::size_t len = 0;
    ssize_t n;
    while ((n = read(fd, buf + len, size - 1 - len)) > 0)
        len += static_cast<std::size_t>(n);
    close(fd);
    buf[len] = '\0';
    long kb = -1;
    if (std::sscanf(buf, "MemTotal: %ld kB", &kb) != 1)
        return -1;
    return kb;
}

int reader_main(void *arg) {
    const Reader &r = *static_cast<Reader *>(arg);
    char go;
    static char buf[16384];
    // The parent closes its end once every reader is registered.
    close(r.start_write);
    while (read(r.start_fd, &go, 1) < 0 && errno == EINTR) {
    }
    Counts c{};
    const double end = now_s() + r.seconds;
    while (now_s() < end) {
        const long kb = read_memtotal(buf, sizeof buf);
        if (kb < 0 || (r.memtotal_kb && kb != r.memtotal_kb))
            c.errors++;
        c.reads++;
    }
    if (write(r.result_fd, &c, sizeof c) != sizeof c)
        return 1;
    return 0;
}

int fail(const char *what) {
    std::fprintf(stderr, "vzbench-viewscale: %s: %s\n", what, std::strerror(errno));
    return 1;
}

} // namespace

int main(int argc, char **argv) {
    if (argc != 6) {
        std::fputs("usage: vzbench-viewscale N SECONDS CGROUP_DIR FIRST_VEID MEMTOTAL_KB\n", stderr);
        return 2;
    }
    const int n = std::atoi(argv[1]);
    const double seconds = std::atof(argv[2]);
    const unsigned first = static_cast<unsigned>(std::strtoul(argv[4], nullptr, 10));
    const long memtotal = std::atol(argv[5]);
    const int dev = open(VZKIT_DEVICE, O_RDWR | O_CLOEXEC);
    const int cgroup = open(argv[3], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (n <= 0 || seconds <= 0 || dev < 0 || cgroup < 0)
        return fail("setup (N, SECONDS, /dev/vzctl, CGROUP_DIR)");
    int start[2], result[2];
    if (pipe(start) != 0 || pipe(result) != 0)
        return fail("pipe");
    constexpr std::size_t kStack = 64 * 1024;
    Reader r{start[0], start[1], result[1], seconds, memtotal};
    std::vector<pid_t> pids;
    int registered = 0;
    for (int i = 0; i < n; ++i) {
        char *stack = static_cast<char *>(std::malloc(kStack));
        const pid_t pid = stack ? clone(reader_main, stack + kStack, CLONE_NEWPID | SIGCHLD, &r) : -1;
        if (pid < 0) {
            fail("clone");
            break;
        }
        pids.push_back(pid);
        if (first == 0)
            continue;
        vzctl_env_register reg{};
        reg.veid = first + static_cast<unsigned>(i);
        reg.init_pid = pid;
        reg.cgroup_fd = cgroup;
        if (ioctl(dev, VZCTL_ENV_REGISTER, &reg) != 0) {
            fail("VZCTL_ENV_REGISTER");
            break;
        }
        vzctl_ve_view view{};
        view.veid = reg.veid;
        view.cpus = 1;
        if (ioctl(dev, VZCTL_VE_VIEW, &view) != 0) {
            fail("VZCTL_VE_VIEW");
            break;
        }
        ++registered;
    }
    close(start[0]);
    const double t0 = now_s();
    close(start[1]); // go
    close(result[1]);
    Counts total{};
    Counts c{};
    while (read(result[0], &c, sizeof c) == sizeof c) {
        total.reads += c.reads;
        total.errors += c.errors;
    }
    const double wall = now_s() - t0;
    for (pid_t pid : pids)
        waitpid(pid, nullptr, 0);
    for (int i = 0; i < registered; ++i) {
        vzctl_env env{};
        env.veid = first + static_cast<unsigned>(i);
        ioctl(dev, VZCTL_ENV_UNREGISTER, &env);
    }
    if (first != 0 && registered != n) {
        std::fprintf(stderr, "vzbench-viewscale: %d of %d readers registered\n", registered, n);
        return 1;
    }
    const long cpus = std::min<long>(n, sysconf(_SC_NPROCESSORS_ONLN));
    const double ns = total.reads ? static_cast<double>(cpus) * wall * 1e9 /
                                        static_cast<double>(total.reads)
                                  : 0;
    std::printf("%d %.1f %llu %llu %ld %.0f\n", n, wall,
                static_cast<unsigned long long>(total.reads),
                static_cast<unsigned long long>(total.errors), cpus, ns);
    return total.errors ? 1 : 0;
}
