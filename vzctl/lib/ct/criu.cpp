// ct/criu.h: criu and nft as child processes. Nothing here reads a path the
// container controls: criu's images and logs live in a host directory, and
// the container's root is handed to criu only as --root.
#include "ct/criu.h"

#include "vzkit/base/error.h"
#include "vzkit/base/fd.h"
#include "vzkit/base/log.h"
#include "vzkit/base/process.h"
#include "vzkit/base/util.h"
#include "vzkit/net/link.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cstdlib>

namespace fs = std::filesystem;

namespace vz::detail {
namespace {

// The environment criu and nft run with: the system's directories (criu runs
// ip, iptables-save and the like itself), C messages.
const std::vector<std::string> kEnv = {
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/sbin:/usr/bin:/bin", "LC_ALL=C"};

// What went wrong, from criu's log: its first error line, which names the
// cause, and its last, which says what criu was doing. Lines of criu/util.c
// are the exit statuses of tools criu probes for (iptables) and fails over.
std::string log_errors(const fs::path &log) {
    std::string first, last;
    for (const auto &line : split(read_file(log).value_or(""), '\n')) {
        if (line.find("Error") == std::string::npos ||
            line.find("criu/util.c") != std::string::npos)
            continue;
        last = std::string(trim(line));
        if (first.empty())
            first = last;
    }
    return first == last ? first : first + "; " + last;
}

} // namespace

std::string find_criu(int code) {
    const char *path = std::getenv("PATH");
    for (const auto &dir : split(path ? path : "", ':')) {
        const fs::path p = fs::path(dir) / "criu";
        if (p.is_absolute() && access(p.c_str(), X_OK) == 0)
            return p.string();
    }
    throw Error(code, "criu is not installed or not in PATH (Debian: apt-get install criu)");
}

void run_criu(const std::vector<std::string> &args, const fs::path &dir, const std::string &log,
              int code, const std::string &what) {
    std::vector<std::string> argv = {find_criu(code)};
    argv.insert(argv.end(), args.begin(), args.end());
    for (const std::string &a :
         {std::string("--images-dir"), dir.string(), std::string("--work-dir"), dir.string(),
          std::string("--log-file"), log, std::string("-v4")})
        argv.push_back(a);
    log_debug(1, "Running " + join(argv, " "));
    const ProgramOutput out = run_captured(argv, kEnv, code);
    if (out.status == 0)
        return;
    std::string reason = log_errors(dir / log);
    if (reason.empty())
        reason = "criu exited with " + std::to_string(out.status);
    throw Error(code, what + ": " + reason + " (log: " + (dir / log).string() + ")");
}

void drop_criu_tables(pid_t init, int code) {
    const std::string nft = system_program("nft", code);
    UniqueFd ns = net::open_netns(init);
    const ProgramOutput list = run_captured({nft, "list", "tables"}, kEnv, code, ns.get());
    if (list.status != 0)
        throw Error(code, "nft list tables in the container's network namespace failed: " +
                              std::string(trim(list.text)));
    for (const auto &line : split(list.text, '\n')) {
        const auto words = split_ws(line);
        if (words.size() != 3 || words[0] != "table" || words[1] != "inet" ||
            !words[2].starts_with("CRIU-"))
            continue;
        log_debug(1, "Deleting criu's left-over nftables table inet " + words[2]);
        const ProgramOutput del =
            run_captured({nft, "delete", "table", "inet", words[2]}, kEnv, code, ns.get());
        if (del.status != 0)
            throw Error(code, "Unable to delete criu's nftables table inet " + words[2] + ": " +
                                  std::string(trim(del.text)));
    }
}

} // namespace vz::detail
