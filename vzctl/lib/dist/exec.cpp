#include "vzkit/dist/exec.h"

#include "vzkit/ct/enter.h"
#include "vzkit/base/error.h"
#include "vzkit/ct/hooks.h"
#include "vzkit/base/log.h"
#include "vzkit/base/process.h"
#include "vzkit/base/util.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace vz::dist {
namespace {

constexpr int kDefaultTimeout = 300; // OpenVZ's SCRIPT_EXEC_TIMEOUT
constexpr char kTimedOut = 'T';

std::vector<std::string> env_strings(const ScriptEnv &env) {
    std::vector<std::string> result;
    for (const auto &[key, value] : env)
        result.push_back(key + "=" + value);
    if (!env.contains("PATH"))
        result.push_back("PATH=" + std::string(kScriptPath));
    return result;
}

struct ShellIo {
    int in, out, err, status;
};

// Forks the shell in a process group of its own and waits for it at most
// `timeout`; on expiry the group is killed and 'T' reported on status. For
// scripts run on the host; vzkit-exec does the same for the container's.
int supervise(const char *shell, const std::vector<std::string> &env, ShellIo io, int timeout_s) {
    const CStringArray argv({shell}), envp(env);
    pid_t child = fork();
    if (child < 0)
        return VZ_RESOURCE_ERROR;
    if (child == 0) {
        setpgid(0, 0);
        dup2(io.in, STDIN_FILENO);
        dup2(io.out, STDOUT_FILENO);
        dup2(io.err, STDERR_FILENO);
        close_fds_except({});
        execve(shell, argv.data(), envp.data());
        _exit(VZ_NOSCRIPT);
    }
    setpgid(child, child); // whichever of the two runs first
    close(io.in);
    close(io.out);
    close(io.err);
    UniqueFd pidfd = open_pidfd(child);
    pollfd p{pidfd.get(), POLLIN, 0};
    int left_ms = timeout_s * 1000;
    const auto start = std::chrono::steady_clock::now();
    int ready;
    do {
        ready = poll(&p, 1, left_ms);
        auto spent = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::steady_clock::now() - start)
                         .count();
        left_ms = std::max(0, timeout_s * 1000 - static_cast<int>(spent));
    } while (ready < 0 && errno == EINTR);
    if (ready == 0) {
        kill(-child, SIGKILL);
        waitpid(child, nullptr, 0);
        (void)!write(io.status, &kTimedOut, 1);
        return VZ_EXEC_TIMEOUT;
    }
    return wait_exit_code(child);
}

void check_result(int rc, bool timed_out, const std::string &name, int timeout_s, int fail_code) {
    if (timed_out)
        throw Error(VZ_EXEC_TIMEOUT, "Script " + name + " was killed after " +
                                         std::to_string(timeout_s) + " s (SCRIPT_EXEC_TIMEOUT)");
    if (rc != 0)
        throw Error(fail_code, "Script " + name + " failed with exit code " + std::to_string(rc));
}

bool read_timed_out(int fd) {
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    char c = 0;
    return read(fd, &c, 1) == 1 && c == kTimedOut;
}

// Runs `start` (which spawns the supervisor and returns its pid) with the
// shell's stdio and the status pipe wired, feeding `text` on stdin.
template <typename Start>
void run_supervised(const std::string &name, const std::string &text, int timeout_s, int fail_code,
                    Start start) {
    Pipe in = make_pipe(), out = make_pipe(), err = make_pipe(), status = make_pipe();
    ShellIo io{in.read.get(), out.write.get(), err.write.get(), status.write.get()};
    log_debug(1, "Running " + name);
    pid_t pid = start(io);
    in.read.reset();
    out.write.reset();
    err.write.reset();
    status.write.reset();
    relay_pipes(pid, std::move(in.write), std::move(out.read), std::move(err.read), text);
    const int rc = wait_exit_code(pid);
    check_result(rc, read_timed_out(status.read.get()), name, timeout_s, fail_code);
}

} // namespace

std::chrono::seconds script_timeout(const CtConfig &config) {
    auto value = config.get_int("SCRIPT_EXEC_TIMEOUT");
    return std::chrono::seconds(value && *value > 0 ? *value : kDefaultTimeout);
}

std::string compose_script(const std::filesystem::path &scripts_dir, const std::string &script) {
    auto body = read_file(scripts_dir / script);
    if (!body)
        throw Error(VZ_NO_DISTR_ACTION_SCRIPT,
                    "Action script " + (scripts_dir / script).string() + " not found");
    auto functions = read_file(scripts_dir / "functions").value_or("");
    if (!functions.empty() && functions.back() != '\n')
        functions += '\n';
    return functions + *body;
}

void run_script_in_ct(const CtConfig &config, pid_t init, const std::string &name,
                      const std::string &text, const ScriptEnv &env, int fail_code) {
    (void)init; // spawn_in_ct finds and checks the init itself
    const int timeout_s = static_cast<int>(script_timeout(config).count());
    run_supervised(name, text, timeout_s, fail_code, [&](ShellIo io) {
        // vzkit-exec supervises from outside the pid namespace: the timeout
        // holds whatever the script does to the processes it can see.
        CtCommand cmd;
        cmd.programs = {"/bin/bash", "/bin/sh"};
        cmd.env = env_strings(env);
        cmd.stdio = {io.in, io.out, io.err};
        cmd.timeout_s = timeout_s;
        cmd.status_fd = io.status;
        cmd.fail_code = VZ_NOSCRIPT;
        return spawn_in_ct(config, cmd).pid;
    });
}

void run_script_on_host(const CtConfig &config, const std::string &name, const std::string &text,
                        const ScriptEnv &env, int fail_code) {
    const int timeout_s = static_cast<int>(script_timeout(config).count());
    auto strings = env_strings(env);
    run_supervised(name, text, timeout_s, fail_code, [&](ShellIo io) {
        pid_t pid = fork();
        if (pid < 0)
            throw_errno(VZ_RESOURCE_ERROR, "Unable to fork");
        if (pid == 0) {
            close_fds_except({io.in, io.out, io.err, io.status});
            _exit(supervise("/bin/sh", strings, io, timeout_s));
        }
        return pid;
    });
}

} // namespace vz::dist
