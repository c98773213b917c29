#include "vzkit/base/util.h"

#include "vzkit/base/error.h"
#include "vzkit/base/fd.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstdlib>

namespace vz {
namespace {

constexpr std::string_view kWhitespace = " \t\n\r\v\f";

bool is_space(char c) {
    return kWhitespace.find(c) != std::string_view::npos;
}

// Writes all of data, retrying short writes and EINTR; false with errno set on failure.
bool write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

// Opens an existing control file as is (cgroup and /proc files must not be
// created or truncated); a missing regular file is created.
UniqueFd open_for_write(const std::filesystem::path &path) {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd && errno == ENOENT)
        fd.reset(::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
    if (!fd)
        throw_errno(VZ_SYSTEM_ERROR, "Unable to open " + path.string());
    struct stat st {};
    if (::fstat(fd.get(), &st) == 0 && S_ISREG(st.st_mode) && ::ftruncate(fd.get(), 0) != 0)
        throw_errno(VZ_SYSTEM_ERROR, "Unable to truncate " + path.string());
    return fd;
}

void fsync_dir(const std::filesystem::path &dir) {
    UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    // A directory that cannot be synced (some network file systems refuse)
    // does not undo the rename; the data itself was synced.
    if (fd)
        ::fsync(fd.get());
}

volatile sig_atomic_t g_interrupted = 0;

void on_interrupt(int) {
    g_interrupted = 1;
}

} // namespace

std::optional<std::string> read_file(const std::filesystem::path &path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd)
        return std::nullopt;
    std::string data;
    std::array<char, 8192> buf{};
    for (;;) {
        ssize_t n = ::read(fd.get(), buf.data(), buf.size());
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return std::nullopt;
        }
        if (n == 0)
            return data;
        data.append(buf.data(), static_cast<std::size_t>(n));
    }
}

void write_file(const std::filesystem::path &path, std::string_view data) {
    UniqueFd fd = open_for_write(path);
    // Control files take one value per write(); a split write would be two values.
    ssize_t n;
    do {
        n = ::write(fd.get(), data.data(), data.size());
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        throw_errno(VZ_SYSTEM_ERROR,
                    "Unable to write " + std::string(trim(data)) + " to " + path.string());
    if (static_cast<std::size_t>(n) != data.size())
        throw Error(VZ_SYSTEM_ERROR, "Short write to " + path.string());
}

void write_file_atomic(const std::filesystem::path &path, std::string_view data, unsigned mode) {
    const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
    // Hidden, so that globs over the directory (conf/*.conf) never see a half-written file.
    std::string templ = (dir / ("." + path.filename().string() + ".XXXXXX")).string();
    UniqueFd fd(::mkostemp(templ.data(), O_CLOEXEC));
    if (!fd)
        throw_errno(VZ_SYSTEM_ERROR, "Unable to create a temporary file in " + dir.string());
    RemoveGuard temp(templ); // until the rename
    if (!write_all(fd.get(), data))
        throw_errno(VZ_SYSTEM_ERROR, "Unable to write " + templ);
    if (::fchmod(fd.get(), static_cast<mode_t>(mode)) != 0)
        throw_errno(VZ_SYSTEM_ERROR, "Unable to chmod " + templ);
    if (::fsync(fd.get()) != 0)
        throw_errno(VZ_SYSTEM_ERROR, "Unable to sync " + templ);
    if (::close(fd.release()) != 0)
        throw_errno(VZ_SYSTEM_ERROR, "Unable to close " + templ);
    if (::rename(templ.c_str(), path.c_str()) != 0)
        throw_errno(VZ_SYSTEM_ERROR, "Unable to rename " + templ + " to " + path.string());
    temp.release();
    fsync_dir(dir);
}

std::vector<std::string> split(std::string_view text, char sep, bool skip_empty) {
    std::vector<std::string> parts;
    for (;;) {
        std::size_t pos = text.find(sep);
        std::string_view part = text.substr(0, pos);
        if (!part.empty() || !skip_empty)
            parts.emplace_back(part);
        if (pos == std::string_view::npos)
            return parts;
        text.remove_prefix(pos + 1);
    }
}

std::vector<std::string> split_ws(std::string_view text) {
    std::vector<std::string> parts;
    auto it = text.begin();
    while (it != text.end()) {
        auto start = std::find_if_not(it, text.end(), is_space);
        it = std::find_if(start, text.end(), is_space);
        if (start != it)
            parts.emplace_back(start, it);
    }
    return parts;
}

std::vector<std::string> split_setting_list(std::string_view setting) {
    std::string normalized(setting);
    std::ranges::replace(normalized, ',', ' ');
    return split_ws(normalized);
}

std::string_view trim(std::string_view text) {
    std::size_t first = text.find_first_not_of(kWhitespace);
    if (first == std::string_view::npos)
        return {};
    std::size_t last = text.find_last_not_of(kWhitespace);
    return text.substr(first, last - first + 1);
}

std::string join(const std::vector<std::string> &parts, std::string_view sep) {
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (i != 0)
            out += sep;
        out += parts[i];
    }
    return out;
}

std::string to_lower(std::string_view text) {
    std::string out(text);
    std::ranges::transform(out, out.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string to_upper(std::string_view text) {
    std::string out(text);
    std::ranges::transform(out, out.begin(),
                           [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return out;
}

std::string unescape_mount_path(std::string_view raw) {
    auto octal = [](char c) { return c >= '0' && c <= '7'; };
    std::string out;
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '\\' && i + 3 < raw.size() && octal(raw[i + 1]) && octal(raw[i + 2]) &&
            octal(raw[i + 3])) {
            out.push_back(static_cast<char>((raw[i + 1] - '0') * 64 + (raw[i + 2] - '0') * 8 +
                                            (raw[i + 3] - '0')));
            i += 3;
        } else {
            out.push_back(raw[i]);
        }
    }
    return out;
}

std::vector<MountInfo> parse_mountinfo(std::string_view text) {
    // id parent major:minor root mount-point options [optional...] - fstype source
    // super-options; the paths are escaped, so splitting at spaces is safe.
    constexpr std::size_t kFixedFields = 6;
    std::vector<MountInfo> out;
    for (const auto &line : split(text, '\n')) {
        const auto fields = split(line, ' ');
        auto dash =
            std::find(fields.begin() + std::min(fields.size(), kFixedFields), fields.end(), "-");
        if (std::distance(dash, fields.end()) < 2)
            continue;
        auto field = [&](std::size_t after) {
            return static_cast<std::size_t>(std::distance(dash, fields.end())) > after
                       ? dash[static_cast<std::ptrdiff_t>(after)]
                       : std::string();
        };
        const bool shared = std::any_of(fields.begin() + kFixedFields, dash,
                                        [](const auto &f) { return f.starts_with("shared:"); });
        out.push_back({.major_minor = fields[2],
                       .root = unescape_mount_path(fields[3]),
                       .mount_point = unescape_mount_path(fields[4]),
                       .fs_type = field(1),
                       .source = unescape_mount_path(field(2)),
                       .super_options = field(3),
                       .shared = shared});
    }
    return out;
}

CStringArray::CStringArray(std::vector<std::string> items) : items_(std::move(items)) {
    pointers_.reserve(items_.size() + 1);
    for (auto &item : items_)
        pointers_.push_back(item.data());
    pointers_.push_back(nullptr);
}

RemoveGuard::~RemoveGuard() {
    if (path_.empty())
        return;
    std::error_code ec; // a destructor cannot report; what is left is only litter
    std::filesystem::remove_all(path_, ec);
}

void install_interrupt_handlers() {
    struct sigaction sa {};
    sa.sa_handler = on_interrupt;
    sigemptyset(&sa.sa_mask);
    // No SA_RESTART: a blocking read or wait returns EINTR so the caller notices promptly.
    sa.sa_flags = 0;
    for (int sig : {SIGINT, SIGTERM, SIGHUP})
        ::sigaction(sig, &sa, nullptr);
}

bool interrupted() {
    return g_interrupted != 0;
}

void check_interrupted() {
    if (interrupted())
        throw Error(VZ_SYSTEM_ERROR, "Interrupted");
}

void require_root(int code) {
    if (::geteuid() != 0)
        throw Error(code, "This program can only be run under root.");
}

} // namespace vz
