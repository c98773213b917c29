#include "vzkit/ubc/view.h"

#include "vzkit/base/error.h"
#include "vzkit/ubc/ubc.h"
#include "vzkit/base/util.h"

#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <array>
#include <cstdio>

namespace vz::ubc {
namespace {

constexpr std::uint64_t kIntMax = 2147483647; // "unlimited" of 32-bit kernels

bool is_unlimited(std::uint64_t v) {
    return v == kUnlimited || v == kIntMax;
}

std::string format(const char *fmt, auto... args) {
    std::array<char, 256> buf{};
    std::snprintf(buf.data(), buf.size(), fmt, args...);
    return buf.data();
}

std::string pad_left(std::string text, std::size_t width) {
    return text.size() >= width ? text : std::string(width - text.size(), ' ') + text;
}

constexpr std::string_view kRule =
    "-------------------------------------------------------------------";
constexpr std::string_view kRed = "\033[31m";
constexpr std::string_view kYellow = "\033[33m";
constexpr std::string_view kReset = "\033[0m";

std::string header(std::uint32_t id, bool delta) {
    return std::string(kRule) + "\n" +
           format("CT %-10u| HELD  Bar%%  Lim%%| MAXH  Bar%%  Lim%%| BAR | LIM |%cFAIL\n", id,
                  delta ? '+' : ' ') +
           "-------------+-----------------+-----------------+-----+-----+-----\n";
}

std::uint64_t baseline(const Baseline *base, std::uint32_t id, const std::string &res) {
    if (!base)
        return 0;
    auto it = base->find({id, res});
    return it != base->end() ? it->second : 0;
}

// vzubc -i: the change of held since the stored run, signed.
std::string held_delta(const Row &row, std::uint64_t before, bool verbose) {
    const bool down = row.held < before;
    const std::uint64_t diff = down ? before - row.held : row.held - before;
    if (diff == 0)
        return "0";
    return (down ? "-" : "+") + (verbose ? std::to_string(diff) : human(row.resource, diff));
}

std::string render_row(std::uint32_t id, const Row &row, const ViewOptions &o) {
    auto num = [&](std::uint64_t v) {
        return o.verbose && !is_unlimited(v) && v != 0 ? std::to_string(v) : human(row.resource, v);
    };
    std::uint64_t fail = row.failcnt;
    if (o.failcnt_since) {
        // A counter below the stored one was reset (a restarted container).
        const std::uint64_t before = baseline(o.failcnt_since, id, row.resource);
        fail = row.failcnt >= before ? row.failcnt - before : row.failcnt;
    }
    const std::string held =
        o.held_since ? held_delta(row, baseline(o.held_since, id, row.resource), o.verbose)
                     : num(row.held);
    std::string line = pad_left(row.resource, 13) + "|" + pad_left(held, 5) + " " +
                       pad_left(percent(row.held, row.barrier), 5) + " " +
                       pad_left(percent(row.held, row.limit), 5) + "|" +
                       pad_left(num(row.maxheld), 5) + " " +
                       pad_left(percent(row.maxheld, row.barrier), 5) + " " +
                       pad_left(percent(row.maxheld, row.limit), 5) + "|" +
                       pad_left(num(row.barrier), 5) + "|" + pad_left(num(row.limit), 5) + "| " +
                       pad_left(fail ? std::to_string(fail) + " " : std::string("- "), 5);
    if (o.colour && fail > 0)
        return std::string(kRed) + line + std::string(kReset);
    if (o.colour && important(row, o.held_ratio, o.maxheld_ratio))
        return std::string(kYellow) + line + std::string(kReset);
    return line;
}

} // namespace

std::string human(std::string_view resource, std::uint64_t value) {
    if (is_unlimited(value) || value == 0)
        return "- ";
    long double v = static_cast<long double>(value);
    int unit = 0;
    if (resource.ends_with("pages")) {
        v *= 4;
        ++unit;
    }
    while (v >= 1024) {
        v /= 1024;
        ++unit;
    }
    constexpr std::string_view kUnits = " KMGTPEZY";
    const char suffix = kUnits[static_cast<std::size_t>(std::min(unit, 8))];
    if (v < 100)
        return format("%.3Lg%c", v, suffix);
    return format("%d%c", static_cast<int>(v), suffix);
}

// Rounded to a tenth first, as OpenVZ's vzubc: a decimal below 10%, whole
// numbers above, and never wider than the 5 columns it has (">9999%" would
// not fit: anything from 10000% on shows as "huge").
std::string percent(std::uint64_t part, std::uint64_t whole) {
    if (whole == 0 || is_unlimited(whole))
        return "- ";
    const double r = std::round(static_cast<double>(part) / static_cast<double>(whole) * 1000) / 10;
    if (r < 0.1)
        return "- ";
    if (r >= 9999.5)
        return "huge";
    return (r < 10 ? format("%.2g", r) : format("%d", static_cast<int>(std::lround(r)))) + "%";
}

bool important(const Row &row, double held_ratio, double maxheld_ratio) {
    if (row.failcnt > 0)
        return true;
    const std::uint64_t barrier = row.barrier == 0 ? row.limit : row.barrier;
    if (is_unlimited(barrier))
        return false;
    const auto b = static_cast<long double>(barrier);
    return row.held > b * held_ratio || row.maxheld > b * std::min(maxheld_ratio, held_ratio);
}

std::string render(const std::vector<Beancounter> &bcs, const ViewOptions &o) {
    std::string out;
    bool printed = false;
    for (const Beancounter &bc : bcs) {
        if (!o.ids.empty() && std::ranges::find(o.ids, bc.id) == o.ids.end())
            continue;
        bool head = false;
        for (const Row &row : bc.rows) {
            if (o.quiet && !important(row, o.held_ratio, o.maxheld_ratio))
                continue;
            if (!head) {
                out += (printed ? "\n" : "") + header(bc.id, o.failcnt_since != nullptr);
                head = printed = true;
            }
            out += render_row(bc.id, row, o) + "\n";
        }
    }
    if (printed)
        out += std::string(kRule) + "\n";
    return out;
}

Baseline BaselineStore::load() const {
    Baseline out;
    std::error_code ec;
    for (const auto &entry : std::filesystem::directory_iterator(dir_, ec)) {
        // ubc.<id>.<resource>.<what>
        auto parts = split(entry.path().filename().string(), '.');
        if (parts.size() != 4 || parts[0] != "ubc" || parts[3] != what_)
            continue;
        auto id = vz::parse_number<std::uint32_t>(parts[1]);
        auto value = vz::parse_number<std::uint64_t>(trim(read_file(entry.path()).value_or("")));
        if (!id || !value)
            continue;
        out[{*id, parts[2]}] = *value;
    }
    return out;
}

void BaselineStore::save(const std::vector<Beancounter> &bcs,
                         std::uint64_t (*value)(const Row &row)) const {
    if (mkdir(dir_.c_str(), 0700) != 0 && errno != EEXIST)
        throw_errno(VZ_SYSTEM_ERROR, "Unable to create " + dir_.string());
    for (const Beancounter &bc : bcs)
        for (const Row &row : bc.rows)
            write_file_atomic(
                dir_ / ("ubc." + std::to_string(bc.id) + "." + row.resource + "." + what_),
                std::to_string(value(row)) + "\n", 0600);
}

void BaselineStore::clear() const {
    std::error_code ec;
    for (const auto &entry : std::filesystem::directory_iterator(dir_, ec))
        if (entry.path().filename().string().ends_with("." + what_))
            std::filesystem::remove(entry.path(), ec);
}

} // namespace vz::ubc
