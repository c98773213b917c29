#include "vzkit/ct/hooks.h"

#include "vzkit/base/error.h"
#include "vzkit/base/log.h"
#include "vzkit/base/util.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vz {

int run_host_program(const std::vector<std::string> &argv,
                     const std::map<std::string, std::string> &env) {
    std::vector<std::string> env_strings;
    for (const auto &[key, value] : env)
        env_strings.push_back(key + "=" + value);
    const CStringArray cargv(argv), cenv(std::move(env_strings));

    pid_t pid = fork();
    if (pid < 0)
        throw_errno(VZ_RESOURCE_ERROR, "Unable to fork");
    if (pid == 0) {
        execve(cargv.data()[0], cargv.data(), cenv.data());
        _exit(127);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            throw_errno(VZ_SYSTEM_ERROR, "waitpid");
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void run_mount_hooks(const CtConfig &config, std::string_view event) {
    const auto dir = ct_conf_dir();
    const std::string ctid = std::to_string(config.ctid());
    const bool per_ct_first = event == "umount" || event == "postumount";
    std::vector<std::filesystem::path> scripts = {dir / ("vps." + std::string(event)),
                                                  dir / (ctid + "." + std::string(event))};
    if (per_ct_first)
        std::swap(scripts[0], scripts[1]);

    const std::map<std::string, std::string> env = {
        {"VEID", ctid},
        {"VE_CONFFILE", config.ct_conf_path().string()},
        {"PATH", std::string(kScriptPath)},
    };
    for (const auto &script : scripts) {
        if (access(script.c_str(), F_OK) != 0)
            continue;
        log_debug(1, "Running " + script.string());
        // OpenVZ runs these through the shell, so they need not be executable.
        int rc = run_host_program({"/bin/sh", script.string()}, env);
        if (rc != 0)
            throw Error(VZ_ACTIONSCRIPT_ERROR,
                        "Error executing " + script.string() + ": exit code " + std::to_string(rc));
    }
}

} // namespace vz
