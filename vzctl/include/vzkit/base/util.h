// Small file and string helpers shared by the core library.
#pragma once

#include <charconv>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace vz {

// Whole file as a string; nullopt if it does not exist or cannot be read.
std::optional<std::string> read_file(const std::filesystem::path &path);
// Writes a small control file (cgroup, /proc) in one write(); throws Error(VZ_SYSTEM_ERROR).
void write_file(const std::filesystem::path &path, std::string_view data);
// Replaces path atomically: temp file in the same directory, fsync, rename, fsync of the dir.
void write_file_atomic(const std::filesystem::path &path, std::string_view data,
                       unsigned mode = 0644);

std::vector<std::string> split(std::string_view text, char sep, bool skip_empty = true);
std::vector<std::string> split_ws(std::string_view text);
// Items of an OpenVZ "NAME:on NAME2:off" list (CAPABILITY, FEATURES); the
// command line separates them with commas, the config with spaces.
std::vector<std::string> split_setting_list(std::string_view setting);
std::string_view trim(std::string_view text);
std::string join(const std::vector<std::string> &parts, std::string_view sep);
std::string to_lower(std::string_view text);
std::string to_upper(std::string_view text);

// The whole of text as a number: no whitespace, no trailing characters, no
// '+', and no sign at all for an unsigned T (from_chars' own grammar); nullopt
// on empty text or overflow. The one number parser of the library.
template <typename T> std::optional<T> parse_number(std::string_view text) {
    static_assert(std::is_arithmetic_v<T>, "parse_number reads integers and floating point");
    T value{};
    const char *last = text.data() + text.size();
    auto [end, ec] = std::from_chars(text.data(), last, value);
    if (text.empty() || ec != std::errc() || end != last)
        return std::nullopt;
    return value;
}

// One line of /proc/<pid>/mountinfo (proc(5)), with the paths unescaped.
struct MountInfo {
    std::string major_minor;   // field 3, "8:1"
    std::string root;          // field 4, the root of the mount in its file system
    std::string mount_point;   // field 5
    std::string fs_type;       // after the "-" separator
    std::string source;        // after the file system type
    std::string super_options; // "rw,memory"
    bool shared = false;       // a "shared:N" optional field: in a peer group
};
// The kernel writes a space, tab, newline and backslash in a path as \040,
// \011, \012 and \134; other text is returned as is.
std::string unescape_mount_path(std::string_view raw);
// Every well-formed line of mountinfo text; a malformed one is skipped.
std::vector<MountInfo> parse_mountinfo(std::string_view text);

// Removes a path (a file, or a directory tree) when it goes out of scope,
// unless release()d: the temporary of an operation that did not finish.
class RemoveGuard {
  public:
    explicit RemoveGuard(std::filesystem::path path) : path_(std::move(path)) {}
    RemoveGuard(RemoveGuard &&other) noexcept : path_(std::exchange(other.path_, {})) {}
    RemoveGuard &operator=(RemoveGuard &&) = delete;
    ~RemoveGuard();
    const std::filesystem::path &path() const { return path_; }
    // The operation finished: the path stays.
    void release() { path_.clear(); }

  private:
    std::filesystem::path path_;
};

// A NULL-terminated char* array for execve's argv or envp, over its own copy
// of the strings (so the pointers stay valid however the source changes).
// Build it before fork(): data() itself does not allocate.
class CStringArray {
  public:
    explicit CStringArray(std::vector<std::string> items);
    CStringArray(const CStringArray &) = delete;
    CStringArray &operator=(const CStringArray &) = delete;
    // Moving keeps the strings where they are, so the pointers stay valid.
    CStringArray(CStringArray &&) noexcept = default;
    CStringArray &operator=(CStringArray &&) noexcept = default;
    ~CStringArray() = default;

    char *const *data() const { return pointers_.data(); }
    // The number of strings, without the terminating nullptr.
    std::size_t size() const { return items_.size(); }

  private:
    std::vector<std::string> items_;
    std::vector<char *> pointers_;
};

// SIGINT/SIGTERM/SIGHUP set a flag once install_interrupt_handlers() ran, so that
// long operations (unpacking a template) stop between steps and clean up.
void install_interrupt_handlers();
bool interrupted();
// Throws Error(VZ_SYSTEM_ERROR, "Interrupted") when a signal arrived.
void check_interrupted();

// The host tools that read every process (vzlist, vzps, vzpid, vzkillall,
// vztop): throws Error(code, "This program can only be run under root.")
// unless the effective user is root.
void require_root(int code);

} // namespace vz
