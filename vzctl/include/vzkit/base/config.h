// OpenVZ-style KEY="value" configuration files (vz.conf, <CTID>.conf, samples).
// The file is kept as lines so that saving rewrites only changed keys and keeps
// comments, order and unknown lines.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vz {

struct ConfigWarning {
    std::string file;
    unsigned line = 0;
    std::string message;
};

class ConfigFile {
  public:
    ConfigFile() = default;
    // Missing file → empty config with exists() == false. Unreadable → Error.
    static ConfigFile load(const std::filesystem::path &path);
    static ConfigFile parse(std::string_view text, std::string name = "<string>");

    bool exists() const { return exists_; }
    const std::string &name() const { return name_; }

    // First occurrence wins (a later duplicate only produces a warning).
    std::optional<std::string> get(std::string_view key) const;
    bool contains(std::string_view key) const { return get(key).has_value(); }
    // Every key with its effective value.
    std::map<std::string, std::string, std::less<>> values() const;

    // Replaces the value in place, or appends KEY="value" at the end.
    void set(std::string_view key, std::string_view value);
    void erase(std::string_view key);
    bool dirty() const { return dirty_; }

    // Warnings collected while parsing ("file:line: message").
    const std::vector<ConfigWarning> &warnings() const { return warnings_; }

    std::string render() const;
    // Atomic save: temp file in the same directory, fsync, rename.
    void save(const std::filesystem::path &path) const;

  private:
    struct Line {
        std::string text;               // original text, or rewritten text once changed
        std::optional<std::string> key; // set for a KEY=value line (first occurrence only)
        std::string value;
    };
    std::vector<Line> lines_;
    std::vector<ConfigWarning> warnings_;
    std::string name_;
    bool exists_ = false;
    bool dirty_ = false;
};

// Unquotes a config value: KEY="a b", KEY='a', KEY=a; returns nullopt when it does not parse.
std::optional<std::string> parse_config_value(std::string_view raw);
// Renders KEY="value" with the quoting the shell scripts that source these files accept.
std::string format_config_line(std::string_view key, std::string_view value);

} // namespace vz
