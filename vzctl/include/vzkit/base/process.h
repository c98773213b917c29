// Process plumbing shared by the tools: pipes, fd hygiene, exit statuses.
#pragma once

#include "vzkit/base/fd.h"

#include <signal.h>
#include <sys/types.h>

#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vz {

struct Pipe {
    UniqueFd read, write;
};
// Both ends close-on-exec.
Pipe make_pipe();

// Closes every fd above stderr except those in keep.
void close_fds_except(std::vector<int> keep);
// The same without allocating (a vfork-style child): keep is sorted in place.
void close_fds_except_in_place(std::span<int> keep);

// Whether a process with this pid exists (a zombie counts): what tells a
// lock or a freeze marker left by a killed vzctl from one still in use.
bool process_alive(pid_t pid);

// Waits for pid; returns its exit code, or 128 + signal number.
int wait_exit_code(pid_t pid);

// The path of a system program (the first of /usr/sbin, /sbin, /usr/bin,
// /bin that has it): what vzctl runs never comes from the caller's PATH.
// Error(code, "<name> is not installed ...") when none has it.
std::string system_program(const std::string &name, int code);

// Where one of vzkit's own helper programs (vzkit-exec, vzkit-lvm) is looked
// up: <dir of this program>/../libexec/vzkit/ (the build tree and the
// installed layout alike), then the configured libexec dir.
std::string libexec_program(std::string_view name);

// What a program printed, stdout and stderr together, and its exit code.
struct ProgramOutput {
    int status = 0;
    std::string text;
};
// Runs argv[0] (an absolute path) with exactly env, stdin on /dev/null and
// no other descriptor, in the network namespace of netns_fd when it is not
// -1 (126 when it cannot enter it), and reads what it prints to the end.
// Error(code) when it cannot be started.
ProgramOutput run_captured(const std::vector<std::string> &argv,
                           const std::vector<std::string> &env, int code, int netns_fd = -1);

// Writes everything (retrying on EINTR); false when the reader is gone.
bool write_all(int fd, const char *data, size_t len);
// Copies what is readable now from `from` to `to`; false on EOF or error.
bool pump(int from, int to);
// Copies whatever `from` still holds without blocking.
void drain(int from, int to);
// A pidfd for pid (poll()able for its exit); invalid on failure.
UniqueFd open_pidfd(pid_t pid);
// Sends signal through a pidfd: 0, or -1 with errno (ESRCH once the process
// has exited, even if its pid was reused).
int pidfd_signal(int pidfd, int signal);
// Whether the process a pidfd pins is still alive (signal 0); errno is set
// when not.
bool pidfd_alive(int pidfd);
// Runs fn in a thread of its own whose root and working directory are root
// (unshare(CLONE_FS), then chroot): every path fn resolves, through any
// symlink or "..", stays below root, and the rest of the process keeps its
// own. fn must not open anything outside root by path (libraries loaded on
// demand included). Its exception comes back to the caller; failing to set
// the thread up is an Error with code.
void run_chrooted(const std::filesystem::path &root, const std::function<void()> &fn, int code);
// Waits until some of fds are readable (or hung up) and returns those, in the
// order given; a negative fd is not watched. Empty when a signal cut the wait
// short (or timeout_ms passed, when not negative), so that the caller acts on
// the signal first; nullopt if poll() failed.
std::optional<std::vector<int>> poll_readable(const std::vector<int> &fds, int timeout_ms = -1);

// A signal's handler (or SIG_IGN) for the object's lifetime, the old
// disposition put back after: a relay ignores SIGPIPE (it must survive a
// reader that left) and, with a terminal, catches SIGWINCH. No SA_RESTART: a
// caught signal cuts a wait short.
class ScopedSignal {
  public:
    ScopedSignal(int signal, void (*handler)(int));
    ~ScopedSignal();
    ScopedSignal(const ScopedSignal &) = delete;
    ScopedSignal &operator=(const ScopedSignal &) = delete;

  private:
    int signal_;
    struct sigaction old_ {};
};

// Relays the host's stdin (or input, when given) to child_in, and child_out /
// child_err to the host's stdout / stderr, until the child exits and what it
// wrote is drained. A background process that keeps the pipes open does not
// hold the relay.
void relay_pipes(pid_t child, UniqueFd child_in, UniqueFd child_out, UniqueFd child_err,
                 const std::optional<std::string> &input);

} // namespace vz
