#include "vzkit/util.h"

#include "vzkit/error.h"
#include "vzkit/fd.h"

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

// Removes the temp file of write_file_atomic unless the rename happened.
class TempFile {
  public:
    explicit TempFile(std::string path) : path_(std::move(path)) {}
    TempFile(const TempFile &) = delete;
    TempFile &operator=(const TempFile &) = delete;
    ~TempFile() {
        if (!path_.empty())
            ::unlink(path_.c_str());
    }
    const std::string &path() const { return path_; }
    void commit() { path_.clear(); }

  private:
    std::string path_;
};

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
    TempFile temp(templ);
    if (!write_all(fd.get(), data))
        throw_errno(VZ_SYSTEM_ERROR, "Unable to write " + temp.path());
    if (::fchmod(fd.get(), static_cast<mode_t>(mode)) != 0)
        throw_errno(VZ_SYSTEM_ERROR, "Unable to chmod " + temp.path());
    if (::fsync(fd.get()) != 0)
        throw_errno(VZ_SYSTEM_ERROR, "Unable to sync " + temp.path());
    if (::close(fd.release()) != 0)
        throw_errno(VZ_SYSTEM_ERROR, "Unable to close " + temp.path());
    if (::rename(temp.path().c_str(), path.c_str()) != 0)
        throw_errno(VZ_SYSTEM_ERROR, "Unable to rename " + temp.path() + " to " + path.string());
    temp.commit();
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
