#include "vzkit/ubc/ubc.h"

#include "vzkit/base/util.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdlib>

namespace vz::ubc {
namespace {

using enum Unit;

constexpr std::array kResources = std::to_array<Resource>({
    {"kmemsize", "KMEMSIZE", "kmemsize", "KMEMSIZE", 0, Bytes},
    {"lockedpages", "LOCKEDPAGES", "lockedpages", "LOCKEDP", 1, Pages},
    {"privvmpages", "PRIVVMPAGES", "privvmpages", "PRIVVMP", 2, Pages},
    {"shmpages", "SHMPAGES", "shmpages", "SHMP", 3, Pages},
    {"numproc", "NUMPROC", "numproc", "NPROC", 5, Items},
    {"physpages", "PHYSPAGES", "physpages", "PHYSP", 6, Pages},
    {"vmguarpages", "VMGUARPAGES", "vmguarpages", "VMGUARP", 7, Pages},
    {"oomguarpages", "OOMGUARPAGES", "oomguarpages", "OOMGUARP", 8, Pages},
    {"numtcpsock", "NUMTCPSOCK", "numtcpsock", "NTCPSOCK", 9, Items},
    {"numflock", "NUMFLOCK", "numflock", "NFLOCK", 10, Items},
    {"numpty", "NUMPTY", "numpty", "NPTY", 11, Items},
    {"numsiginfo", "NUMSIGINFO", "numsiginfo", "NSIGINFO", 12, Items},
    {"tcpsndbuf", "TCPSNDBUF", "tcpsndbuf", "TCPSNDB", 13, Bytes},
    {"tcprcvbuf", "TCPRCVBUF", "tcprcvbuf", "TCPRCVB", 14, Bytes},
    {"othersockbuf", "OTHERSOCKBUF", "othersockbuf", "OTHSOCKB", 15, Bytes},
    {"dgramrcvbuf", "DGRAMRCVBUF", "dgramrcvbuf", "DGRAMRB", 16, Bytes},
    {"numothersock", "NUMOTHERSOCK", "numothersock", "NOTHSOCK", 17, Items},
    {"dcachesize", "DCACHESIZE", "dcachesize", "DCACHESZ", 18, Bytes},
    {"numfile", "NUMFILE", "numfile", "NFILE", 19, Items},
    {"numiptent", "NUMIPTENT", "numiptent", "NIPTENT", 23, Items},
    {"swappages", "SWAPPAGES", "swappages", "SWAPP", 24, Pages},
});

static_assert(kResources.size() == 21);
static_assert(std::ranges::is_sorted(kResources, {}, &Resource::kernel_id));

// Older config files use these spellings (vzctl's config[] table).
constexpr std::array kKeyAliases = std::to_array<KeyAlias>({
    {"DCACHE", "DCACHESIZE"},
    {"IPTENTRIES", "NUMIPTENT"},
});

struct Suffix {
    char letter;
    std::uint64_t multiplier; // in bytes
};

// 'P' (one page) is listed separately: for a Pages resource it keeps pages.
constexpr std::array kByteSuffixes = std::to_array<Suffix>({
    {'B', 1},
    {'K', 1ULL << 10},
    {'M', 1ULL << 20},
    {'G', 1ULL << 30},
    {'T', 1ULL << 40},
});

// The multiplier and divisor a suffix applies in a unit, as OpenVZ's
// parse_ul_sfx does: value × multiplier / divisor, truncated.
struct Scale {
    std::uint64_t multiplier = 1;
    std::uint64_t divisor = 1;
};

std::optional<Scale> scale_for(std::optional<char> suffix, Unit unit) {
    if (!suffix)
        return Scale{};
    if (unit == Items)
        return std::nullopt;
    const char letter = static_cast<char>(std::toupper(static_cast<unsigned char>(*suffix)));
    if (letter == 'P')
        return unit == Pages ? Scale{} : Scale{kPageSize, 1};
    auto it = std::ranges::find(kByteSuffixes, letter, &Suffix::letter);
    if (it == kByteSuffixes.end())
        return std::nullopt;
    return Scale{it->multiplier, unit == Pages ? kPageSize : 1};
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// "123" or "2.5": digits with at most one dot and at least one digit.
bool is_decimal(std::string_view text) {
    if (std::ranges::count(text, '.') > 1 || std::ranges::none_of(text, is_digit))
        return false;
    return std::ranges::all_of(text, [](char c) { return is_digit(c) || c == '.'; });
}

std::optional<std::uint64_t> apply_scale(std::string_view number, Scale scale) {
    if (number.find('.') == std::string_view::npos) {
        auto n = vz::parse_number<std::uint64_t>(number);
        if (!n)
            return std::nullopt;
        unsigned __int128 v = static_cast<unsigned __int128>(*n) * scale.multiplier / scale.divisor;
        if (v > kUnlimited)
            return std::nullopt;
        return static_cast<std::uint64_t>(v);
    }
    // A fraction ("2.2G") goes through long double like OpenVZ's strtold; a
    // huge one becomes HUGE_VALL and fails the range check below.
    const std::string copy(number);
    long double v = std::strtold(copy.c_str(), nullptr);
    v = std::floor(v * static_cast<long double>(scale.multiplier) /
                   static_cast<long double>(scale.divisor));
    if (!(v <= static_cast<long double>(kUnlimited)))
        return std::nullopt;
    return static_cast<std::uint64_t>(v);
}

} // namespace

std::span<const Resource> resources() {
    return kResources;
}

const Resource *find_resource_by_name(std::string_view name) {
    auto it = std::ranges::find(kResources, name, &Resource::name);
    return it != kResources.end() ? &*it : nullptr;
}

std::span<const KeyAlias> key_aliases() {
    return kKeyAliases;
}

const Resource *find_resource_by_key(std::string_view key) {
    if (auto alias = std::ranges::find(kKeyAliases, key, &KeyAlias::alias);
        alias != kKeyAliases.end())
        key = alias->key;
    auto it = std::ranges::find(kResources, key, &Resource::key);
    return it != kResources.end() ? &*it : nullptr;
}

std::optional<std::uint64_t> parse_number(std::string_view text, Unit unit) {
    constexpr std::string_view kUnlimitedWord = "unlimited";
    if (text.size() == kUnlimitedWord.size() &&
        std::ranges::equal(text, kUnlimitedWord, [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) == b;
        }))
        return kUnlimited;
    std::optional<char> suffix;
    if (!text.empty() && !is_digit(text.back()) && text.back() != '.') {
        suffix = text.back();
        text.remove_suffix(1);
    }
    auto scale = scale_for(suffix, unit);
    if (!scale || !is_decimal(text))
        return std::nullopt;
    return apply_scale(text, *scale);
}

std::optional<Value> parse_value(std::string_view text, Unit unit) {
    const std::size_t colon = text.find(':');
    auto barrier = parse_number(text.substr(0, colon), unit);
    if (!barrier)
        return std::nullopt;
    auto limit =
        colon == std::string_view::npos ? barrier : parse_number(text.substr(colon + 1), unit);
    // A barrier above the limit is accepted, as OpenVZ's parse_twoul_sfx
    // does (libvirt's memtune sets the limit alone, below an unlimited
    // barrier); vzcfgvalidate reports it, and the module is given the lower.
    if (!limit)
        return std::nullopt;
    return Value{*barrier, *limit};
}

std::string format_number(std::uint64_t number) {
    return number >= kUnlimited ? "unlimited" : std::to_string(number);
}

std::string format_value(const Value &value) {
    if (value.barrier == value.limit)
        return format_number(value.barrier);
    return format_number(value.barrier) + ":" + format_number(value.limit);
}

std::optional<std::uint64_t> parse_bytes(std::string_view text) {
    return parse_number(text, Bytes);
}

} // namespace vz::ubc
