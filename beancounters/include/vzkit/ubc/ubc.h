// User beancounters: the OpenVZ resource table and the value grammar of
// vzctl set / <CTID>.conf ("barrier[:limit]", suffixes, "unlimited").
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace vz::ubc {

// LONG_MAX: what OpenVZ stores and prints as "unlimited".
inline constexpr std::uint64_t kUnlimited = 9223372036854775807ULL;
inline constexpr std::uint64_t kPageSize = 4096;

enum class Unit {
    Bytes, // a suffix multiplies (K, M, G, T); P means pages
    Pages, // a plain number is pages; a byte suffix (K, M, G, T, B) converts bytes → pages
    Items, // suffixes are rejected
};

struct Resource {
    std::string_view name;   // "numproc": /proc/user_beancounters and vzlist field
    std::string_view key;    // "NUMPROC": config key
    std::string_view option; // "numproc": vzctl set --<option>
    std::string_view header; // "NPROC": vzlist column header
    int kernel_id;           // UB_* id of include/ub.h
    Unit unit;
};

// Every UBC, ordered as /proc/user_beancounters lists them.
std::span<const Resource> resources();
const Resource *find_resource_by_name(std::string_view name); // "numproc"
const Resource *find_resource_by_key(std::string_view key);   // "NUMPROC" (also DCACHE, IPTENTRIES)

// Older spellings of UBC keys that config files may still use.
struct KeyAlias {
    std::string_view alias; // "DCACHE"
    std::string_view key;   // "DCACHESIZE"
};
std::span<const KeyAlias> key_aliases();

// The five figures of one resource of a beancounter, as /proc/user_beancounters
// lists them and the module's VZCTL_GETBC returns them.
struct Figures {
    std::uint64_t held = 0;
    std::uint64_t maxheld = 0;
    std::uint64_t barrier = 0;
    std::uint64_t limit = 0;
    std::uint64_t failcnt = 0;
    bool operator==(const Figures &) const = default;
};

struct Value {
    std::uint64_t barrier = kUnlimited;
    std::uint64_t limit = kUnlimited;
    bool operator==(const Value &) const = default;
};

// Parses one number of the grammar ("2.2G", "100", "unlimited", "10P") in the
// resource's unit. nullopt when it does not parse.
std::optional<std::uint64_t> parse_number(std::string_view text, Unit unit);
// "bar[:lim]"; a single value sets both. nullopt when it does not parse; bar > lim
// parses, as in OpenVZ (vzcfgvalidate reports it).
std::optional<Value> parse_value(std::string_view text, Unit unit);
// How OpenVZ stores a value: "bar" when bar == lim, else "bar:lim"; kUnlimited as "unlimited".
std::string format_value(const Value &value);
std::string format_number(std::uint64_t number);

// --ram / --swap: bytes by default (suffixes K M G T), stored as PHYSPAGES/SWAPPAGES "0:<pages>".
std::optional<std::uint64_t> parse_bytes(std::string_view text);

} // namespace vz::ubc
