// Text parsers for /proc files (see proc/parse.h). They work on string_views
// over buffers the caller reuses: the process table calls them tens of
// thousands of times per refresh.
#include "vzkit/proc/parse.h"

#include "vzkit/base/util.h"

#include <algorithm>
#include <array>

namespace vz {
namespace {

// Splits the part of a stat line after the comm into its space-separated
// fields; index 0 is field 3 (state) of proc(5).
constexpr std::size_t kStatFirstField = 3;
constexpr std::size_t kStatFieldsUsed = 39 - kStatFirstField + 1;

bool split_stat_fields(std::string_view rest, std::array<std::string_view, kStatFieldsUsed> &out,
                       std::size_t &count) {
    count = 0;
    while (!rest.empty() && count < out.size()) {
        const auto end = rest.find(' ');
        out[count++] = rest.substr(0, end);
        if (end == std::string_view::npos)
            break;
        rest.remove_prefix(end + 1);
    }
    // Everything up to rss (field 24) is required; processor came in 2.2.8.
    return count >= 24 - kStatFirstField + 1;
}

template <typename T>
bool stat_field(const std::array<std::string_view, kStatFieldsUsed> &fields, std::size_t count,
                std::size_t number, T &out) {
    const std::size_t index = number - kStatFirstField;
    if (index >= count)
        return false;
    auto value = parse_number<std::int64_t>(fields[index]);
    if (!value)
        return false;
    out = static_cast<T>(*value);
    return true;
}

// The value of a "Key:\tvalue" line of a status-like file, or nullopt.
std::optional<std::string_view> keyed_line(std::string_view text, std::string_view key) {
    std::size_t pos = 0;
    while (pos < text.size()) {
        const auto eol = std::min(text.find('\n', pos), text.size());
        std::string_view line = text.substr(pos, eol - pos);
        if (line.size() > key.size() && line.starts_with(key) && line[key.size()] == ':')
            return line.substr(key.size() + 1);
        pos = eol + 1;
    }
    return std::nullopt;
}

// Whitespace-separated words of a status value, parsed as numbers.
template <typename T> bool parse_words(std::string_view value, std::vector<T> &out) {
    out.clear();
    std::size_t pos = 0;
    while (pos < value.size()) {
        pos = value.find_first_not_of(" \t", pos);
        if (pos == std::string_view::npos)
            break;
        const auto end = std::min(value.find_first_of(" \t", pos), value.size());
        auto number = parse_number<std::int64_t>(value.substr(pos, end - pos));
        if (!number)
            return false;
        out.push_back(static_cast<T>(*number));
        pos = end;
    }
    return true;
}

// Real and effective id of a "Uid:" / "Gid:" line (real, effective, saved, fs).
template <typename T>
bool parse_ids(std::string_view text, std::string_view key, T &real, T &effective) {
    auto value = keyed_line(text, key);
    std::vector<std::int64_t> ids;
    if (!value || !parse_words(*value, ids) || ids.size() < 2)
        return false;
    real = static_cast<T>(ids[0]);
    effective = static_cast<T>(ids[1]);
    return true;
}

std::string_view basename_of(std::string_view path) {
    const auto slash = path.rfind('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

} // namespace

bool parse_proc_stat(std::string_view text, ProcStat &out) {
    const auto open = text.find('(');
    const auto close = text.rfind(')');
    if (open == std::string_view::npos || close == std::string_view::npos || close < open ||
        close + 2 > text.size())
        return false;
    auto pid = parse_number<std::int64_t>(text.substr(0, open == 0 ? 0 : open - 1));
    if (!pid || *pid <= 0)
        return false;
    out.pid = static_cast<pid_t>(*pid);
    out.comm.assign(text.substr(open + 1, close - open - 1));

    std::string_view rest = text.substr(close + 2);
    while (!rest.empty() && (rest.back() == '\n' || rest.back() == ' '))
        rest.remove_suffix(1);
    std::array<std::string_view, kStatFieldsUsed> fields;
    std::size_t count = 0;
    if (!split_stat_fields(rest, fields, count) || fields[0].size() != 1)
        return false;
    out.state = fields[0][0];
    const bool ok =
        stat_field(fields, count, 4, out.ppid) && stat_field(fields, count, 5, out.pgrp) &&
        stat_field(fields, count, 6, out.session) && stat_field(fields, count, 7, out.tty) &&
        stat_field(fields, count, 8, out.tpgid) && stat_field(fields, count, 9, out.flags) &&
        stat_field(fields, count, 14, out.utime) && stat_field(fields, count, 15, out.stime) &&
        stat_field(fields, count, 18, out.priority) && stat_field(fields, count, 19, out.nice) &&
        stat_field(fields, count, 20, out.threads) && stat_field(fields, count, 22, out.start) &&
        stat_field(fields, count, 23, out.vsize) && stat_field(fields, count, 24, out.rss);
    if (!ok)
        return false;
    out.processor = 0;
    stat_field(fields, count, 39, out.processor);
    return true;
}

bool parse_proc_status(std::string_view text, ProcStatus &out) {
    if (!parse_ids(text, "Uid", out.ruid, out.euid) || !parse_ids(text, "Gid", out.rgid, out.egid))
        return false;
    out.locked_kb = 0;
    if (auto lock = keyed_line(text, "VmLck")) {
        std::vector<std::uint64_t> words;
        // "   0 kB": the unit is not a number, only the first word counts.
        auto value = std::string_view(*lock);
        value = value.substr(0, value.rfind(" kB"));
        if (parse_words(value, words) && !words.empty())
            out.locked_kb = words[0];
    }
    out.nspid.clear();
    if (auto nspid = keyed_line(text, "NSpid"); nspid && !parse_words(*nspid, out.nspid))
        out.nspid.clear();
    return true;
}

bool is_ns_init(const ProcStatus &status, std::size_t own_depth) {
    return status.nspid.size() == own_depth + 1 && status.nspid.back() == 1;
}

std::optional<Ctid> ctid_of_cgroup_path(std::string_view path) {
    constexpr std::string_view kPrefix = "/vz/";
    if (!path.starts_with(kPrefix))
        return std::nullopt;
    path.remove_prefix(kPrefix.size());
    const std::string_view name = path.substr(0, path.find('/'));
    auto value = parse_number<std::uint64_t>(name);
    if (!value || *value == 0 || *value > kVeidMax || name.front() == '0')
        return std::nullopt;
    return static_cast<Ctid>(*value);
}

CgroupOwner parse_cgroup_owner(std::string_view text) {
    CgroupOwner owner;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const auto eol = std::min(text.find('\n', pos), text.size());
        const std::string_view line = text.substr(pos, eol - pos);
        pos = eol + 1;
        // "hierarchy-ID:controller-list:path"; the path may itself hold ':'.
        const auto first = line.find(':');
        const auto second = first == std::string_view::npos ? first : line.find(':', first + 1);
        if (second == std::string_view::npos)
            continue;
        auto ctid = ctid_of_cgroup_path(line.substr(second + 1));
        if (!ctid)
            continue;
        if (owner.kind == CgroupOwner::Kind::Ct && owner.ctid != *ctid)
            return {CgroupOwner::Kind::Conflict, 0};
        owner = {CgroupOwner::Kind::Ct, *ctid};
    }
    return owner;
}

std::string format_cgroup_column(std::string_view text) {
    std::string out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const auto eol = std::min(text.find('\n', pos), text.size());
        const std::string_view line = text.substr(pos, eol - pos);
        pos = eol + 1;
        if (line.empty() || line.ends_with(":/"))
            continue;
        if (!out.empty())
            out += ',';
        out += line;
    }
    return out.empty() ? "-" : out;
}

std::optional<std::uint64_t> parse_ns_link(std::string_view link, std::string_view type) {
    if (!link.starts_with(type) || link.size() < type.size() + 3 || link[type.size()] != ':' ||
        link[type.size() + 1] != '[' || link.back() != ']')
        return std::nullopt;
    return parse_number<std::uint64_t>(link.substr(type.size() + 2, link.size() - type.size() - 3));
}

std::string format_cmdline(std::string_view raw) {
    while (!raw.empty() && raw.back() == '\0')
        raw.remove_suffix(1);
    std::string out(raw);
    for (char &c : out) {
        if (c == '\0')
            c = ' ';
        else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            c = '?';
    }
    return out;
}

std::string_view cmdline_argv0_name(std::string_view raw) {
    return basename_of(raw.substr(0, raw.find('\0')));
}

std::optional<double> parse_uptime(std::string_view text) {
    const std::string_view first = text.substr(0, text.find_first_of(" \n"));
    return parse_number<double>(first);
}

std::optional<std::uint64_t> parse_meminfo_kb(std::string_view text, std::string_view key) {
    auto value = keyed_line(text, key);
    if (!value)
        return std::nullopt;
    std::string_view v = *value;
    const auto start = v.find_first_not_of(' ');
    if (start == std::string_view::npos)
        return std::nullopt;
    v.remove_prefix(start);
    return parse_number<std::uint64_t>(v.substr(0, v.find(' ')));
}

} // namespace vz
