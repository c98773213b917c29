// vzps's process selection (see proc_select.h).
#include "vzkit/proc_select.h"

#include "vzkit/error.h"

#include <pwd.h>

#include <algorithm>
#include <array>

namespace vz {
namespace {

template <typename T> bool listed(const std::vector<T> &list, const T &value) {
    return std::ranges::find(list, value) != list.end();
}

std::optional<uid_t> uid_of(const std::string &word) {
    if (auto number = parse_decimal(word); number && *number <= 0xfffffffe)
        return static_cast<uid_t>(*number);
    passwd pw{}, *found = nullptr;
    std::array<char, 4096> buf{};
    if (::getpwnam_r(word.c_str(), &pw, buf.data(), buf.size(), &found) == 0 && found)
        return pw.pw_uid;
    return std::nullopt;
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
    std::vector<pid_t> pids;
    for (const auto &word : parse_word_list(text)) {
        auto value = parse_decimal(word);
        if (!value || *value == 0 || *value > 0x7fffffff)
            throw Error(code, "Invalid process ID: " + word);
        pids.push_back(static_cast<pid_t>(*value));
    }
    if (pids.empty())
        throw Error(code, "Empty process ID list");
    return pids;
}

std::vector<uid_t> parse_user_list(std::string_view text, int code) {
    std::vector<uid_t> uids;
    for (const auto &word : parse_word_list(text)) {
        auto uid = uid_of(word);
        if (!uid)
            throw Error(code, "User name does not exist: " + word);
        uids.push_back(*uid);
    }
    if (uids.empty())
        throw Error(code, "Empty user list");
    return uids;
}

std::vector<Ctid> parse_ctid_list(std::string_view text, int code) {
    std::vector<Ctid> ctids;
    for (const auto &word : parse_word_list(text)) {
        if (word == "0") {
            ctids.push_back(0);
            continue;
        }
        try {
            ctids.push_back(resolve_ctid(word));
        } catch (const Error &) {
            throw Error(code, "Bad CT ID " + word);
        }
    }
    if (ctids.empty())
        throw Error(code, "Empty CT ID list");
    return ctids;
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
