// vzps's process selection (see proc/select.h).
#include "vzkit/proc/select.h"

#include "vzkit/base/error.h"
#include "vzkit/base/util.h"

#include <pwd.h>

#include <algorithm>
#include <array>

namespace vz {
namespace {

template <typename T> bool listed(const std::vector<T> &list, const T &value) {
    return std::ranges::find(list, value) != list.end();
}

std::optional<uid_t> uid_of(const std::string &word) {
    if (auto number = parse_number<std::uint64_t>(word); number && *number <= 0xfffffffe)
        return static_cast<uid_t>(*number);
    passwd pw{}, *found = nullptr;
    std::array<char, 4096> buf{};
    if (::getpwnam_r(word.c_str(), &pw, buf.data(), buf.size(), &found) == 0 && found)
        return pw.pw_uid;
    return std::nullopt;
}

// Each word of text as `one` makes it (throwing Error(code, ...) for a bad
// one); Error(code, empty) when there is no word at all.
template <typename Fn> auto parse_list(std::string_view text, int code, const char *empty, Fn one) {
    std::vector<decltype(one(std::string()))> out;
    for (const auto &word : parse_word_list(text))
        out.push_back(one(word));
    if (out.empty())
        throw Error(code, empty);
    return out;
}

} // namespace

std::vector<std::string> parse_word_list(std::string_view text) {
    std::vector<std::string> words;
    std::string word;
    for (char c : text) {
        if (c == ',' || c == ' ' || c == '\t') {
            if (!word.empty())
                words.push_back(std::move(word));
            word.clear();
        } else {
            word += c;
        }
    }
    if (!word.empty())
        words.push_back(std::move(word));
    return words;
}

std::vector<pid_t> parse_pid_list(std::string_view text, int code) {
    return parse_list(text, code, "Empty process ID list", [&](const std::string &word) {
        auto value = parse_number<std::uint64_t>(word);
        if (!value || *value == 0 || *value > 0x7fffffff)
            throw Error(code, "Invalid process ID: " + word);
        return static_cast<pid_t>(*value);
    });
}

std::vector<uid_t> parse_user_list(std::string_view text, int code) {
    return parse_list(text, code, "Empty user list", [&](const std::string &word) {
        auto uid = uid_of(word);
        if (!uid)
            throw Error(code, "User name does not exist: " + word);
        return *uid;
    });
}

std::vector<Ctid> parse_ctid_list(std::string_view text, int code) {
    return parse_list(text, code, "Empty CT ID list", [&](const std::string &word) -> Ctid {
        if (word == "0")
            return 0;
        try {
            return resolve_ctid(word);
        } catch (const Error &) {
            throw Error(code, "Bad CT ID " + word);
        }
    });
}

bool ProcSelection::has_process_selection() const {
    return all || !pids.empty() || !ppids.empty() || !euids.empty() || !ruids.empty() ||
           !commands.empty();
}

bool ProcSelection::needs_status() const {
    return !euids.empty() || !ruids.empty() || (!has_process_selection() && !ctids);
}

bool ProcSelection::matches(const ProcEntry &e) const {
    if (ctids && !listed(*ctids, e.ctid))
        return false;
    if (!has_process_selection())
        return ctids || (e.uid == self_euid && e.stat.tty == self_tty);
    return all || listed(pids, e.pid()) || listed(ppids, e.stat.ppid) || listed(euids, e.uid) ||
           listed(ruids, e.ruid) ||
           std::ranges::any_of(commands, [&](const std::string &c) { return c == e.stat.comm; });
}

} // namespace vz
