// Small file and string helpers shared by the core library.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
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
