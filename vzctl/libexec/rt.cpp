// vzkit-exec's runtime: its entry point, system calls, and the memory and
// string functions a compiler may call on its own (rt.h says why).
#include "rt.h"

#include <asm/unistd.h>
#include <linux/errno.h>
#include <linux/poll.h>
#include <linux/signal.h>
#include <linux/time.h>
#include <linux/time_types.h>

int main(int argc, char **argv, char **envp);
extern "C" rt::size_t strlen(const char *s);

namespace rt {

int err = 0;

namespace {

#if defined(__x86_64__)
long raw(long nr, long a1 = 0, long a2 = 0, long a3 = 0, long a4 = 0, long a5 = 0) {
    register long r10 asm("r10") = a4;
    register long r8 asm("r8") = a5;
    long ret;
    asm volatile("syscall"
                 : "=a"(ret)
                 : "a"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8)
                 : "rcx", "r11", "memory");
    return ret;
}
#elif defined(__aarch64__)
long raw(long nr, long a1 = 0, long a2 = 0, long a3 = 0, long a4 = 0, long a5 = 0) {
    register long x8 asm("x8") = nr;
    register long x0 asm("x0") = a1;
    register long x1 asm("x1") = a2;
    register long x2 asm("x2") = a3;
    register long x3 asm("x3") = a4;
    register long x4 asm("x4") = a5;
    asm volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4) : "memory", "cc");
    return x0;
}
#else
#error "vzkit-exec: no system-call convention for this architecture (rt.cpp)"
#endif

// The kernel returns -errno in the result register.
long checked(long ret) {
    if (ret < 0 && ret > -4096) {
        err = static_cast<int>(-ret);
        return -1;
    }
    return ret;
}

template <typename T> long arg(T *pointer) {
    return reinterpret_cast<long>(pointer);
}

} // namespace

ssize_t read(int fd, void *buf, size_t count) {
    return checked(raw(__NR_read, fd, arg(buf), static_cast<long>(count)));
}

ssize_t write(int fd, const void *buf, size_t count) {
    return checked(raw(__NR_write, fd, arg(buf), static_cast<long>(count)));
}

int close(int fd) {
    return static_cast<int>(checked(raw(__NR_close, fd)));
}

int fcntl(int fd, int cmd, long value) {
    return static_cast<int>(checked(raw(__NR_fcntl, fd, cmd, value)));
}

int ioctl(int fd, unsigned long request, long value) {
    return static_cast<int>(checked(raw(__NR_ioctl, fd, static_cast<long>(request), value)));
}

int prctl(int option, unsigned long arg2, unsigned long arg3, unsigned long arg4,
          unsigned long arg5) {
    return static_cast<int>(
        checked(raw(__NR_prctl, option, static_cast<long>(arg2), static_cast<long>(arg3),
                    static_cast<long>(arg4), static_cast<long>(arg5))));
}

int capget(void *header, void *data) {
    return static_cast<int>(checked(raw(__NR_capget, arg(header), arg(data))));
}

int capset(void *header, const void *data) {
    return static_cast<int>(checked(raw(__NR_capset, arg(header), arg(data))));
}

int setsid() {
    return static_cast<int>(checked(raw(__NR_setsid)));
}

int chdir(const char *path) {
    return static_cast<int>(checked(raw(__NR_chdir, arg(path))));
}

int execve(const char *path, char *const argv[], char *const envp[]) {
    return static_cast<int>(checked(raw(__NR_execve, arg(path), arg(argv), arg(envp))));
}

int fork() {
    // The exit signal is clone's low byte.
    return static_cast<int>(checked(raw(__NR_clone, SIGCHLD)));
}

int wait4(int pid, int *status, int options) {
    return static_cast<int>(checked(raw(__NR_wait4, pid, arg(status), options)));
}

int kill(int pid, int sig) {
    return static_cast<int>(checked(raw(__NR_kill, pid, sig)));
}

int pidfd_open(int pid) {
    return static_cast<int>(checked(raw(__NR_pidfd_open, pid, 0)));
}

int poll_one(int fd, short events, int timeout_ms) {
    pollfd p{fd, events, 0};
    __kernel_timespec timeout{timeout_ms / 1000, (timeout_ms % 1000) * 1000000L};
    return static_cast<int>(
        checked(raw(__NR_ppoll, arg(&p), 1, timeout_ms < 0 ? 0 : arg(&timeout), 0, 8)));
}

long monotonic_ms() {
    __kernel_timespec now{};
    raw(__NR_clock_gettime, CLOCK_MONOTONIC, arg(&now));
    return static_cast<long>(now.tv_sec) * 1000 + static_cast<long>(now.tv_nsec) / 1000000;
}

void exit(int code) {
    for (;;)
        raw(__NR_exit_group, code);
}

int exit_code(int status) {
    const int signal = status & 0x7f;
    return signal == 0 ? (status >> 8) & 0xff : 128 + signal;
}

size_t strlen(const char *s) {
    return ::strlen(s);
}

bool streq(const char *a, const char *b) {
    while (*a && *a == *b)
        ++a, ++b;
    return *a == *b;
}

const char *getenv(char *const envp[], const char *name) {
    const size_t len = strlen(name);
    for (char *const *e = envp; *e; ++e) {
        size_t i = 0;
        while (i < len && (*e)[i] == name[i])
            ++i;
        if (i == len && (*e)[len] == '=')
            return *e + len + 1;
    }
    return nullptr;
}

const char *strerror(int errnum) {
    static const struct {
        int errnum;
        const char *text;
    } kTexts[] = {
        {EPERM, "Operation not permitted"},
        {ENOENT, "No such file or directory"},
        {ESRCH, "No such process"},
        {EINTR, "Interrupted system call"},
        {EIO, "Input/output error"},
        {ENXIO, "No such device or address"},
        {E2BIG, "Argument list too long"},
        {ENOEXEC, "Exec format error"},
        {EBADF, "Bad file descriptor"},
        {ECHILD, "No child processes"},
        {EAGAIN, "Resource temporarily unavailable"},
        {ENOMEM, "Cannot allocate memory"},
        {EACCES, "Permission denied"},
        {EFAULT, "Bad address"},
        {EBUSY, "Device or resource busy"},
        {ENODEV, "No such device"},
        {ENOTDIR, "Not a directory"},
        {EISDIR, "Is a directory"},
        {EINVAL, "Invalid argument"},
        {ENFILE, "Too many open files in system"},
        {EMFILE, "Too many open files"},
        {ENOTTY, "Inappropriate ioctl for device"},
        {ETXTBSY, "Text file busy"},
        {EFBIG, "File too large"},
        {EROFS, "Read-only file system"},
        {EPIPE, "Broken pipe"},
        {ENAMETOOLONG, "File name too long"},
        {ENOSYS, "Function not implemented"},
        {ELOOP, "Too many levels of symbolic links"},
        {ESTALE, "Stale file handle"},
    };
    for (const auto &entry : kTexts)
        if (entry.errnum == errnum)
            return entry.text;
    static Line unknown;
    unknown = Line();
    return unknown.add("errno ").add(errnum).text();
}

Line &Line::add(const char *text) {
    while (*text && len_ + 1 < sizeof buf_)
        buf_[len_++] = *text++;
    buf_[len_] = '\0';
    return *this;
}

Line &Line::add(long number) {
    char digits[24];
    int n = 0;
    unsigned long magnitude =
        number < 0 ? 0UL - static_cast<unsigned long>(number) : static_cast<unsigned long>(number);
    do {
        digits[n++] = static_cast<char>('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude);
    if (number < 0)
        digits[n++] = '-';
    char text[24];
    for (int i = 0; i < n; ++i)
        text[i] = digits[n - 1 - i];
    text[n] = '\0';
    return add(text);
}

bool parse_decimal(const char *text, long max, long *value) {
    long v = 0;
    if (!*text)
        return false;
    for (; *text; ++text) {
        if (*text < '0' || *text > '9' || v > (max - (*text - '0')) / 10)
            return false;
        v = v * 10 + (*text - '0');
    }
    *value = v;
    return true;
}

bool parse_hex(const char *text, __u64 *value) {
    __u64 v = 0;
    int digits = 0;
    for (; *text; ++text, ++digits) {
        const char c = *text;
        const int d = c >= '0' && c <= '9'   ? c - '0'
                      : c >= 'a' && c <= 'f' ? c - 'a' + 10
                      : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                             : -1;
        if (d < 0 || digits == 16)
            return false;
        v = v << 4 | static_cast<__u64>(d);
    }
    if (digits == 0)
        return false;
    *value = v;
    return true;
}

} // namespace rt

// What the compiler may call for copies and clears. The barrier keeps it from
// turning these very loops back into calls to themselves.
extern "C" {
void *memcpy(void *dst, const void *src, rt::size_t n) {
    auto *d = static_cast<unsigned char *>(dst);
    const auto *s = static_cast<const unsigned char *>(src);
    for (rt::size_t i = 0; i < n; ++i) {
        d[i] = s[i];
        asm volatile("" ::: "memory");
    }
    return dst;
}

void *memmove(void *dst, const void *src, rt::size_t n) {
    auto *d = static_cast<unsigned char *>(dst);
    const auto *s = static_cast<const unsigned char *>(src);
    if (d < s)
        return memcpy(dst, src, n);
    for (rt::size_t i = n; i > 0; --i) {
        d[i - 1] = s[i - 1];
        asm volatile("" ::: "memory");
    }
    return dst;
}

void *memset(void *dst, int c, rt::size_t n) {
    auto *d = static_cast<unsigned char *>(dst);
    for (rt::size_t i = 0; i < n; ++i) {
        d[i] = static_cast<unsigned char>(c);
        asm volatile("" ::: "memory");
    }
    return dst;
}

rt::size_t strlen(const char *s) {
    rt::size_t n = 0;
    while (s[n]) {
        ++n;
        asm volatile("" ::: "memory");
    }
    return n;
}

int memcmp(const void *a, const void *b, rt::size_t n) {
    const auto *x = static_cast<const unsigned char *>(a);
    const auto *y = static_cast<const unsigned char *>(b);
    for (rt::size_t i = 0; i < n; ++i) {
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
        asm volatile("" ::: "memory");
    }
    return 0;
}

// The kernel's initial stack: argc, argv[], NULL, envp[], NULL.
[[noreturn]] void vzkit_exec_start(long *stack) {
    const int argc = static_cast<int>(stack[0]);
    char **argv = reinterpret_cast<char **>(stack + 1);
    rt::exit(main(argc, argv, argv + argc + 1));
}
}

#if defined(__x86_64__)
// The ABI wants %rsp 16-byte aligned at a call; the kernel leaves it so.
asm(".text\n"
    ".global _start\n"
    ".type _start, @function\n"
    "_start:\n"
    "  xor %ebp, %ebp\n"
    "  mov %rsp, %rdi\n"
    "  and $-16, %rsp\n"
    "  call vzkit_exec_start\n"
    "  hlt\n");
#elif defined(__aarch64__)
asm(".text\n"
    ".global _start\n"
    ".type _start, %function\n"
    "_start:\n"
    "  mov x29, #0\n"
    "  mov x30, #0\n"
    "  mov x0, sp\n"
    "  bl vzkit_exec_start\n"
    "  brk #0\n");
#endif
