#include "vzkit/base/config.h"

#include "vzkit/base/error.h"
#include "vzkit/base/fd.h"
#include "vzkit/base/util.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

namespace vz {
namespace {

bool is_key_start(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

bool is_key_char(char c) {
    return is_key_start(c) || (c >= '0' && c <= '9');
}

bool is_valid_key(std::string_view key) {
    return !key.empty() && is_key_start(key.front()) && std::ranges::all_of(key, is_key_char);
}

// Characters a backslash escapes inside sh double quotes; elsewhere a
// backslash is literal there.
constexpr std::string_view kDquoteEscapable = "\"\\$`";

std::optional<std::string> unquote_double(std::string_view inner) {
    std::string out;
    for (std::size_t i = 0; i < inner.size(); ++i) {
        char c = inner[i];
        if (c == '\\' && i + 1 < inner.size() &&
            kDquoteEscapable.find(inner[i + 1]) != std::string_view::npos)
            c = inner[++i];
        out += c;
    }
    return out;
}

// Unquoted words: a backslash escapes whatever follows it, as in sh.
std::string unquote_bare(std::string_view raw) {
    std::string out;
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '\\' && i + 1 < raw.size())
            ++i;
        out += raw[i];
    }
    return out;
}

struct ParsedLine {
    std::string key;
    std::string value;
};

enum class LineKind { Blank, Entry, Invalid };

LineKind classify(std::string_view text, ParsedLine &out) {
    std::string_view t = trim(text);
    if (t.empty() || t.front() == '#')
        return LineKind::Blank;
    std::size_t eq = t.find('=');
    if (eq == std::string_view::npos || !is_valid_key(t.substr(0, eq)))
        return LineKind::Invalid;
    auto value = parse_config_value(t.substr(eq + 1));
    if (!value)
        return LineKind::Invalid;
    out.key = std::string(t.substr(0, eq));
    out.value = std::move(*value);
    return LineKind::Entry;
}

std::string read_config_text(const std::filesystem::path &path, bool &exists) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        if (errno == ENOENT) {
            exists = false;
            return {};
        }
        throw_errno(VZ_SYSTEM_ERROR, "Unable to open " + path.string());
    }
    exists = true;
    std::string text;
    std::array<char, 8192> buf{};
    for (;;) {
        ssize_t n = ::read(fd.get(), buf.data(), buf.size());
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            throw_errno(VZ_SYSTEM_ERROR, "Unable to read " + path.string());
        if (n == 0)
            return text;
        text.append(buf.data(), static_cast<std::size_t>(n));
    }
}

} // namespace

std::optional<std::string> parse_config_value(std::string_view raw) {
    raw = trim(raw);
    if (raw.empty())
        return std::string();
    const char quote = raw.front();
    if (quote != '"' && quote != '\'')
        return unquote_bare(raw);
    if (raw.size() < 2 || raw.back() != quote)
        return std::nullopt;
    std::string_view inner = raw.substr(1, raw.size() - 2);
    if (quote == '\'')
        return std::string(inner);
    return unquote_double(inner);
}

std::string format_config_line(std::string_view key, std::string_view value) {
    // The format is one line per key; a newline would split the value.
    if (value.find_first_of("\n\r") != std::string_view::npos)
        throw Error(VZ_INVALID_PARAMETER_VALUE,
                    "Invalid value for " + std::string(key) + ": contains a newline");
    std::string line(key);
    line += "=\"";
    // $VEID stays as it is: OpenVZ writes VE_ROOT="/vz/root/$VEID" so that the
    // scripts which source the file with VEID set expand it. Any other '$' is
    // escaped, so a value such as a description can never run a command there.
    for (size_t i = 0; i < value.size(); ++i) {
        const char c = value[i];
        const std::string_view rest = value.substr(i);
        const bool veid_ref = rest.starts_with("$VEID") || rest.starts_with("${VEID}");
        if (!veid_ref && kDquoteEscapable.find(c) != std::string_view::npos)
            line += '\\';
        line += c;
    }
    line += '"';
    return line;
}

ConfigFile ConfigFile::parse(std::string_view text, std::string name) {
    ConfigFile cfg;
    cfg.name_ = std::move(name);
    if (text.empty())
        return cfg;
    // The final newline ends the last line; it does not start an empty one.
    if (text.back() == '\n')
        text.remove_suffix(1);
    std::map<std::string, unsigned, std::less<>> first_line;
    unsigned number = 0;
    for (std::string &raw : split(text, '\n', false)) {
        ++number;
        Line line{std::move(raw), std::nullopt, {}};
        ParsedLine parsed;
        switch (classify(line.text, parsed)) {
        case LineKind::Blank:
            break;
        case LineKind::Invalid:
            cfg.warnings_.push_back(
                {cfg.name_, number, "unable to parse line: " + std::string(trim(line.text))});
            break;
        case LineKind::Entry:
            if (auto it = first_line.find(parsed.key); it != first_line.end()) {
                cfg.warnings_.push_back({cfg.name_, number,
                                         "duplicate " + parsed.key +
                                             ", ignored (first set on line " +
                                             std::to_string(it->second) + ")"});
                break;
            }
            first_line.emplace(parsed.key, number);
            line.key = std::move(parsed.key);
            line.value = std::move(parsed.value);
            break;
        }
        cfg.lines_.push_back(std::move(line));
    }
    return cfg;
}

ConfigFile ConfigFile::load(const std::filesystem::path &path) {
    bool exists = false;
    std::string text = read_config_text(path, exists);
    ConfigFile cfg = parse(text, path.string());
    cfg.exists_ = exists;
    return cfg;
}

std::optional<std::string> ConfigFile::get(std::string_view key) const {
    auto it = std::ranges::find_if(lines_, [&](const Line &l) { return l.key && *l.key == key; });
    if (it == lines_.end())
        return std::nullopt;
    return it->value;
}

std::map<std::string, std::string, std::less<>> ConfigFile::values() const {
    std::map<std::string, std::string, std::less<>> out;
    for (const Line &l : lines_)
        if (l.key)
            out.emplace(*l.key, l.value);
    return out;
}

void ConfigFile::set(std::string_view key, std::string_view value) {
    if (!is_valid_key(key))
        throw Error(VZ_INVALID_PARAMETER_VALUE, "Invalid configuration key: " + std::string(key));
    std::string text = format_config_line(key, value);
    auto it = std::ranges::find_if(lines_, [&](const Line &l) { return l.key && *l.key == key; });
    if (it == lines_.end()) {
        lines_.push_back({std::move(text), std::string(key), std::string(value)});
        dirty_ = true;
        return;
    }
    // Rewriting an unchanged value would only churn the file's formatting.
    if (it->value == value)
        return;
    it->text = std::move(text);
    it->value = value;
    dirty_ = true;
}

void ConfigFile::erase(std::string_view key) {
    // Duplicates carry no key (they are inert), so re-parse to catch them too.
    auto matches = [&](const Line &l) {
        if (l.key)
            return *l.key == key;
        ParsedLine parsed;
        return classify(l.text, parsed) == LineKind::Entry && parsed.key == key;
    };
    if (std::erase_if(lines_, matches) > 0)
        dirty_ = true;
}

std::string ConfigFile::render() const {
    std::string out;
    for (const Line &l : lines_) {
        out += l.text;
        out += '\n';
    }
    return out;
}

void ConfigFile::save(const std::filesystem::path &path) const {
    try {
        write_file_atomic(path, render(), 0644);
    } catch (const Error &e) {
        throw Error(VZ_CONFIG_SAVE_ERROR, e.what());
    }
}

} // namespace vz
