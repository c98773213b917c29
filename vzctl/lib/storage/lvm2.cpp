// LVM2 through liblvm2cmd, in vzkit-lvm (vzctl/libexec/vzkit-lvm.cpp): the
// tools are static programs, which cannot load the library themselves
// (docs/packaging.md). The first LVM command of a process starts the helper;
// every command after it goes to the same one (one liblvm2cmd handle, LVM's
// configuration read once), and it exits when the process closes its end.
#include "vzkit/storage/lvm2.h"

#include "vzkit/base/error.h"
#include "vzkit/base/process.h"
#include "vzkit/base/util.h"
#include "vzkit/storage/lvm2_wire.h"

#include <fcntl.h>
#include <lvm2cmd.h> // the codes the helper passes on
#include <sys/socket.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <mutex>
#include <optional>

namespace vz::lvm {
namespace {

constexpr const char *kHelper = "vzkit-lvm";

// Exactly n bytes, or false at the end of the stream.
bool read_exactly(int fd, std::string &out, std::size_t n) {
    out.resize(n);
    std::size_t got = 0;
    while (got < n) {
        const ssize_t r = read(fd, out.data() + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return false;
        got += static_cast<std::size_t>(r);
    }
    return true;
}

std::optional<wire::ReplyHeader> read_header(int fd) {
    std::string line;
    char c;
    while (line.size() < wire::kMaxHeader) {
        const ssize_t r = read(fd, &c, 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return std::nullopt;
        if (c == '\n')
            return wire::parse_header(line);
        line.push_back(c);
    }
    return std::nullopt;
}

// The process's helper: started by the first command, ended at exit (its
// socket closed, then reaped). A helper that cannot run fails each command
// with the reason, which the caller turns into its own error and exit code;
// one that died is started again by the next command.
class Helper {
  public:
    Helper() = default;
    ~Helper() { stop(); }
    Helper(const Helper &) = delete;
    Helper &operator=(const Helper &) = delete;

    Result run(const std::string &line) {
        std::lock_guard lock(mutex_);
        if (!socket_) {
            if (std::string error = start(); !error.empty())
                return {false, "", std::move(error)};
        }
        std::optional<wire::ReplyHeader> header;
        Result result;
        if (!wire::send_all(socket_.get(), line + '\n') || !(header = read_header(socket_.get())) ||
            !read_exactly(socket_.get(), result.output, header->output) ||
            !read_exactly(socket_.get(), result.error, header->error))
            return {false, "", lost()};
        result.ok = header->code == LVM2_COMMAND_SUCCEEDED;
        if (!result.ok && result.error.empty())
            result.error = header->code == LVM2_NO_SUCH_COMMAND      ? "no such LVM command"
                           : header->code == LVM2_INVALID_PARAMETERS ? "invalid parameters"
                           : header->code == LVM2_INIT_FAILED        ? "LVM could not initialise"
                                                                     : "the command failed";
        return result;
    }

  private:
    // "" once it runs, or why it does not.
    std::string start() {
        if (!unavailable_.empty())
            return unavailable_; // nothing a retry per command would change
        const std::string path = libexec_program(kHelper);
        if (access(path.c_str(), X_OK) != 0)
            return unavailable_ = std::string(kHelper) + " is missing (" + path + ")";
        int pair[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0)
            return std::string("cannot start ") + kHelper + ": " + std::strerror(errno);
        UniqueFd ours(pair[0]), theirs(pair[1]);
        const UniqueFd null(open("/dev/null", O_RDWR | O_CLOEXEC));
        const pid_t pid = fork();
        if (pid < 0)
            return std::string("cannot start ") + kHelper + ": " + std::strerror(errno);
        if (pid == 0) {
            // System calls only: another thread may hold the allocator's lock.
            // dup2 leaves the copies without close-on-exec.
            if (!null || dup2(null.get(), STDIN_FILENO) < 0 ||
                dup2(null.get(), STDOUT_FILENO) < 0 || dup2(theirs.get(), 3) < 0)
                _exit(126);
            int keep[] = {3};
            close_fds_except_in_place(keep);
            execl(path.c_str(), kHelper, static_cast<char *>(nullptr));
            _exit(127);
        }
        pid_ = pid;
        socket_ = std::move(ours);
        return "";
    }

    // The helper died (or broke the protocol): killed if need be, reaped,
    // and its exit says why. 127 is the dynamic loader's (no liblvm2cmd) or
    // a failed exec: nothing a second start would change.
    std::string lost() {
        socket_.reset();
        int status = -1;
        if (pid_ > 0) {
            kill(pid_, SIGKILL);
            status = wait_exit_code(pid_);
        }
        pid_ = -1;
        if (status == 127) {
            unavailable_ = "The lvm layout needs " VZKIT_LVM2CMD_SONAME
                           " (Debian's liblvm2cmd2.03, which lvm2 brings)";
            return unavailable_;
        }
        return std::string(kHelper) + " ended during an LVM command (status " +
               std::to_string(status) + ")";
    }

    void stop() {
        socket_.reset(); // the helper's end of stream: it releases LVM and exits
        if (pid_ > 0)
            wait_exit_code(pid_);
        pid_ = -1;
    }

    UniqueFd socket_;
    pid_t pid_ = -1;
    std::string unavailable_;
    std::mutex mutex_;
};

Helper &helper() {
    static Helper h;
    return h;
}

std::string command_line(const Command &command) {
    std::string line;
    for (const auto &word : command) {
        if (word.empty() ||
            std::ranges::any_of(word, [](unsigned char c) { return std::isspace(c) != 0; }))
            throw Error(VZ_INVALID_PARAMETER_VALUE,
                        "LVM argument '" + word + "' is empty or holds white space");
        if (!line.empty())
            line.push_back(' ');
        line += word;
    }
    return line;
}

std::string scalar(const YAML::Node &node, const char *key) {
    const auto value = node[key];
    return value && value.IsScalar() ? value.as<std::string>() : std::string();
}

} // namespace

Result run(const Command &command) {
    const std::string line = command_line(command); // refused before LVM is touched
    return helper().run(line);
}

std::string run_or_throw(const Command &command, int code, std::string_view what) {
    Result result = run(command);
    if (!result.ok)
        throw Error(code, std::string(what) + ": " + result.error);
    return std::move(result.output);
}

std::vector<Volume> parse_lvs_report(std::string_view json) {
    std::vector<Volume> out;
    try {
        const YAML::Node doc = YAML::Load(std::string(json));
        for (const auto &report : doc["report"]) {
            for (const auto &lv : report["lv"]) {
                Volume v;
                v.name = scalar(lv, "lv_name");
                v.attr = scalar(lv, "lv_attr");
                v.pool = scalar(lv, "pool_lv");
                v.origin = scalar(lv, "origin");
                v.size = parse_number<std::uint64_t>(scalar(lv, "lv_size")).value_or(0);
                v.data_percent = parse_number<double>(scalar(lv, "data_percent")).value_or(0);
                // LVM brackets hidden volumes: [pool_tdata]
                if (!v.name.empty())
                    out.push_back(std::move(v));
            }
        }
    } catch (const YAML::Exception &e) {
        throw Error(VZ_SYSTEM_ERROR, std::string("Unreadable LVM report: ") + e.what());
    }
    return out;
}

std::optional<std::vector<Volume>> volumes(const std::string &vg, std::string *error) {
    if (!valid_name(vg)) {
        if (error)
            *error = "invalid volume group name '" + vg + "'";
        return std::nullopt;
    }
    Result result = run({"lvs", "--reportformat", "json", "--units", "b", "--nosuffix", "-o",
                         "lv_name,lv_attr,pool_lv,origin,lv_size,data_percent", vg});
    if (!result.ok) {
        if (error)
            *error = result.error;
        return std::nullopt;
    }
    const auto start = result.output.find('{');
    return parse_lvs_report(start == std::string::npos
                                ? std::string_view("{}")
                                : std::string_view(result.output).substr(start));
}

bool valid_name(std::string_view name) {
    if (name.empty() || name.size() > 127 || name.front() == '-' || name == "." || name == "..")
        return false;
    return std::ranges::all_of(name, [](unsigned char c) {
        return std::isalnum(c) != 0 || c == '+' || c == '_' || c == '.' || c == '-';
    });
}

} // namespace vz::lvm
