// The few services vzkit-exec needs, on bare system calls: no C or C++
// library is linked into it (docs/security.md, "Entering a container").
//
// Why: glibc's start-up, static or dynamic, runs dozens of CPUID instructions
// to pick its string functions, and in a virtual machine every one of them is
// a trap to the hypervisor — 0.3 ms of every exec and start on the machine of
// docs/benchmarks.md, more than vzkit-exec's own work. A program that starts
// at its own _start pays none of it, and maps nothing but itself.
//
// The calls mirror their libc namesakes: -1 and rt::err on failure.
#pragma once

#include <linux/types.h>

namespace rt {

using size_t = decltype(sizeof 0);
using ssize_t = long;

// The errno of the last call that failed.
extern int err;

ssize_t read(int fd, void *buf, size_t count);
ssize_t write(int fd, const void *buf, size_t count);
int close(int fd);
int fcntl(int fd, int cmd, long arg);
int ioctl(int fd, unsigned long request, long arg);
int prctl(int option, unsigned long arg2, unsigned long arg3 = 0, unsigned long arg4 = 0,
          unsigned long arg5 = 0);
int capget(void *header, void *data);
int capset(void *header, const void *data);
int setsid();
int chdir(const char *path);
int execve(const char *path, char *const argv[], char *const envp[]);
// A child with SIGCHLD as its exit signal, as fork(2).
int fork();
int wait4(int pid, int *status, int options);
int kill(int pid, int sig);
int pidfd_open(int pid);
// One fd, a timeout in milliseconds (< 0: none), as poll(2).
int poll_one(int fd, short events, int timeout_ms);
// CLOCK_MONOTONIC in milliseconds.
long monotonic_ms();
[[noreturn]] void exit(int code);

// exit status of wait4 as a shell reports it: the code, or 128 + the signal.
int exit_code(int status);

size_t strlen(const char *s);
bool streq(const char *a, const char *b);
// The value of NAME in envp, or nullptr.
const char *getenv(char *const envp[], const char *name);
// strerror's text for the errnos a helper meets, "errno N" for the rest.
const char *strerror(int errnum);

// A line built by appending, cut at its size, always NUL-terminated.
class Line {
  public:
    Line &add(const char *text);
    Line &add(long number);
    const char *text() const { return buf_; }
    size_t size() const { return len_; }

  private:
    char buf_[512] = {};
    size_t len_ = 0;
};

// Decimal and hexadecimal numbers, the whole text or nothing.
bool parse_decimal(const char *text, long max, long *value);
bool parse_hex(const char *text, __u64 *value);

} // namespace rt
