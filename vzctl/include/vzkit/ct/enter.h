// Running things inside a running container from the host.
//
// Two kinds of work, kept apart (docs/security.md, "Entering a container"):
// - commands of the container (exec, enter, scripts, halt) run in its pid
//   namespace, where the container can see and ptrace them: they are started
//   by vzkit-exec (through a read-only view of it) with the container's
//   capabilities, system-call filter and a session of their own, a clean
//   environment and only the fds handed over — before anything in the
//   container can see them;
// - host work in the container's namespaces (sethostname, mknod) is done by a
//   child that never joins the pid namespace, so nothing inside can see it.
#pragma once

#include "vzkit/base/ct_config.h"
#include "vzkit/base/error.h"
#include "vzkit/base/fd.h"
#include "vzkit/base/process.h"
#include "vzkit/ct/capability.h"

#include <sys/types.h>

#include <array>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace vz {

// The environment OpenVZ gives commands run with exec/exec2/runscript.
std::vector<std::string> default_exec_env();

// A command to run inside a running container.
struct CtCommand {
    // Alternatives: the first one executable inside the container runs (a
    // name without '/' is looked up in env's PATH inside).
    std::vector<std::string> programs;
    std::vector<std::string> args; // argv[1...]
    bool login = false;            // argv[0] = "-<name>": a login shell
    std::vector<std::string> env;  // exactly this environment
    // Host fds that become the command's stdin, stdout, stderr (-1: /dev/null
    // of the container). Ignored with pty.
    std::array<int, 3> stdio = {-1, -1, -1};
    // A pty from the container's own devpts: its slave is the command's
    // controlling terminal and stdio; Spawned::pty_master is the host's end.
    bool pty = false;
    std::string cwd = "/"; // falls back to / when missing
    // Killed with its process group after this many seconds (0: never); 'T'
    // is then written to status_fd and the exit code is 15.
    int timeout_s = 0;
    int status_fd = -1;
    int fail_code = VZ_COMMAND_EXECUTION_ERROR; // when nothing could be executed
};

struct Spawned {
    pid_t pid = -1; // host pid whose exit status is the command's
    UniqueFd pty_master;
};

// Starts cmd inside the running container. Throws Error(VZ_VE_NOT_RUNNING)
// when it is not running, Error(VZ_ENVCREATE_ERROR) when it is still starting
// (its init has not dropped the host's privileges yet) or cannot be joined.
Spawned spawn_in_ct(const CtConfig &config, const CtCommand &cmd);

// Namespaces host work may join (never the pid namespace).
enum CtNs : int {
    kCtNsUts = 1 << 0,
    kCtNsMnt = 1 << 1, // also chroot()s into the container's root
};
// Runs body in a child that joined the given namespaces of the running
// container with the host's privileges; returns body's result (or a code of
// VZ_ENVCREATE_ERROR when joining failed). Throws Error(VZ_VE_NOT_RUNNING).
int run_in_ct_namespaces(const CtConfig &config, int namespaces, const std::function<int()> &body);

struct ExecRequest {
    // Words joined with spaces and run by the container's bash (or /bin/sh when
    // it has none) with -c; empty means the shell reads commands from stdin.
    std::vector<std::string> words;
    // Fed to the command's stdin instead of the host's stdin (runscript).
    std::optional<std::string> input;
    // exec3: words[0] is run itself with words[1...] as its arguments, no
    // shell (looked up in the PATH of the container's environment).
    bool direct = false;
};

// exec/exec2: runs the request with stdio relayed through pipes; returns the
// command's exit status. Throws Error(VZ_VE_NOT_RUNNING) when not running.
int exec_in_ct(const CtConfig &config, const ExecRequest &request);

// vzctl runscript: the host file's text fed to the container's shell; a
// stopped container gets its environment without init, for the script only.
// Returns the script's exit status; Error(VZ_NOSCRIPT) when it is missing.
int run_script(const CtConfig &config, const std::filesystem::path &script);

// <confdir>/conf/<CTID>.<event> ("start", "stop") fed to the shell of the
// running container, as OpenVZ runs these; a missing script is fine.
// Throws Error(VZ_ACTIONSCRIPT_ERROR) when it fails.
void run_ct_action_script(const CtConfig &config, std::string_view event);

// enter: a login shell on a pty allocated inside the container, relayed to the
// host terminal. exec_words, when given, are typed into the shell.
int enter_ct(const CtConfig &config, const std::vector<std::string> &exec_words);

// vzctl console: the descriptor at which the container's init holds the
// master of its console pty (its slave is /dev/console and init's stdio).
inline constexpr int kConsoleFd = 63;
// The console's master: raw, above all without echo (what the container
// prints must never come back as its input). False when refused.
bool set_console_unattended(int master);
// The master of the running container's console, taken from its init with
// pidfd_getfd() and checked to be a pty master (the container controls that
// descriptor). Throws Error(VZ_VE_NOT_RUNNING), or Error(VZ_SYSTEM_ERROR)
// when there is none (its init closed it).
UniqueFd take_console_master(const CtConfig &config);
// vzctl console: shows what the console holds (up to the pty's buffers,
// about 68 KB, of what was printed while nobody was attached), relays the
// host terminal to the console, Esc . at the start
// of a line detaches, Esc ! kills what runs on it (the foreground process
// group of its pty); returns 0 when detached or when the container stopped.
int console_ct(const CtConfig &config);

// The capability mask the container runs with (default mask + CAPABILITY).
CapMask ct_capabilities(const CtConfig &config);

} // namespace vz
