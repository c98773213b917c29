// liblvm2cmd: one handle, one log callback, command lines in, text out. The
// library is loaded (dlopen) by the first LVM command a process runs: only the
// lvm layout needs it, and linking it would load it and a dozen libraries of
// its own into every vzctl and vzlist (docs/benchmarks.md, issue 15).
#include "vzkit/storage/lvm2.h"

#include "vzkit/base/error.h"
#include "vzkit/base/shared_library.h"
#include "vzkit/base/util.h"

#include <lvm2cmd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <optional>
#include <thread>

namespace vz::lvm {
namespace {

// What the callback collects while one command runs. liblvm2cmd's callback
// takes no user pointer, so the capture is the process's one, guarded by the
// handle's mutex (LVM itself is not reentrant either).
struct Capture {
    std::string output;
    std::string error;
};
Capture *g_capture = nullptr;

// The level carries flag bits above the level itself (stderr, once ...).
constexpr int kLevelMask = 0x0f;

void log_line(int level, const char *, int, int, const char *message) {
    if (!g_capture || !message)
        return;
    const int lvl = level & kLevelMask;
    const std::string_view text = message;
    if (lvl == LVM2_LOG_ERROR || lvl == LVM2_LOG_FATAL) {
        const auto line = trim(text);
        if (!line.empty())
            g_capture->error = std::string(line);
    } else if (lvl == LVM2_LOG_PRINT && (level & 0x80) == 0) { // 0x80: meant for stderr
        const auto line = trim(text);
        if (line.starts_with("WARNING") || line.starts_with("WARN"))
            return;
        g_capture->output.append(text);
        g_capture->output.push_back('\n');
    }
}

// The five functions vzkit calls, typed by lvm2cmd.h's prototypes.
struct Lvm2Api {
    explicit Lvm2Api(const SharedLibrary &lib) {
        lib.bind(log_fn, "lvm2_log_fn");
        lib.bind(init, "lvm2_init");
        lib.bind(log_level, "lvm2_log_level");
        lib.bind(run, "lvm2_run");
        lib.bind(exit, "lvm2_exit");
    }
    decltype(&::lvm2_log_fn) log_fn = nullptr;
    decltype(&::lvm2_init) init = nullptr;
    decltype(&::lvm2_log_level) log_level = nullptr;
    decltype(&::lvm2_run) run = nullptr;
    decltype(&::lvm2_exit) exit = nullptr;
};

// The process's liblvm2cmd handle: made on first use, released at exit. A
// library that cannot be loaded fails each command with the reason, which
// the caller turns into its own error (and OpenVZ exit code).
class Handle {
  public:
    Handle() {
        try {
            library_.emplace(VZKIT_LVM2CMD_SONAME, VZ_SYSTEM_ERROR,
                             "The lvm layout needs " VZKIT_LVM2CMD_SONAME
                             " (Debian's liblvm2cmd2.03, which lvm2 brings)");
            api_.emplace(*library_);
        } catch (const Error &e) {
            unavailable_ = e.what();
            return;
        }
        api_->log_fn(log_line);
        // Initialised from the main thread, LVM reopens stdin and stdout
        // with buffers of its own (create_toolcontext's line buffering),
        // closing the FILE that std::cout writes through: whatever a command
        // printed after its first LVM call was lost. From another thread it
        // leaves the standard streams alone.
        std::thread([this] { handle_ = api_->init(); }).join();
        if (handle_)
            api_->log_level(handle_, LVM2_LOG_PRINT);
        else
            unavailable_ = "liblvm2cmd could not be initialised";
    }
    ~Handle() {
        if (handle_)
            api_->exit(handle_);
    }
    Handle(const Handle &) = delete;
    Handle &operator=(const Handle &) = delete;

    Result run(const std::string &line) {
        std::lock_guard lock(mutex_);
        if (!handle_)
            return {false, "", unavailable_};
        Capture capture;
        g_capture = &capture;
        const int rc = api_->run(handle_, line.c_str());
        g_capture = nullptr;
        Result result{rc == LVM2_COMMAND_SUCCEEDED, std::move(capture.output),
                      std::move(capture.error)};
        if (!result.ok && result.error.empty())
            result.error = rc == LVM2_NO_SUCH_COMMAND        ? "no such LVM command"
                           : rc == LVM2_INVALID_PARAMETERS ? "invalid parameters"
                           : rc == LVM2_INIT_FAILED         ? "LVM could not initialise"
                                                            : "the command failed";
        return result;
    }

  private:
    // Declared first: closed after the handle is released.
    std::optional<SharedLibrary> library_;
    std::optional<Lvm2Api> api_;
    std::string unavailable_;
    void *handle_ = nullptr;
    std::mutex mutex_;
};

Handle &handle() {
    static Handle h;
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
    return handle().run(line);
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
    return parse_lvs_report(start == std::string::npos ? std::string_view("{}")
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
