// Reading beancounters as OpenVZ's tools do: /proc/bc/resources (which has
// swappages) or /proc/user_beancounters, and /proc/bc/<id>/resources.
// Parsing follows vzctl's rules (vps_read_ubc, vzubc): a row whose first
// token is "<id>:" opens a beancounter, every row is a resource name and five
// numbers, anything else (the Version line, the header) is skipped, and the
// dummy rows are dropped.
#pragma once

#include "vzkit/ubc/ubc.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vz::ubc {

// One line: a resource and its figures, written as the line reads
// ({"numproc", held, maxheld, barrier, limit, failcnt}).
struct Row : Figures {
    std::string resource;
    Row() = default;
    Row(std::string name, std::uint64_t held_, std::uint64_t maxheld_, std::uint64_t barrier_,
        std::uint64_t limit_, std::uint64_t failcnt_)
        : Figures{held_, maxheld_, barrier_, limit_, failcnt_}, resource(std::move(name)) {}
    bool operator==(const Row &) const = default;
};

struct Beancounter {
    std::uint32_t id = 0;  // 0: the host
    std::vector<Row> rows; // in file order
    const Row *find(std::string_view resource) const;
};

// The text of /proc/user_beancounters or /proc/bc/resources. Returns nullopt
// when a "Version:" line names another version than 2.5.
std::optional<std::vector<Beancounter>> parse_beancounters(std::string_view text);
// The rows of /proc/bc/<id>/resources (no id token, no header).
Beancounter parse_bc_resources(std::string_view text, std::uint32_t id);

// The default source: /proc/bc/resources, else /proc/user_beancounters
// (under root, "/proc" by default); nullopt when neither exists (the module
// is not loaded). Throws Error(VZ_SYSTEM_ERROR) when the file cannot be read
// or is not version 2.5.
std::optional<std::vector<Beancounter>>
read_beancounters(const std::filesystem::path &root = "/proc");
// One beancounter from /proc/bc/<id>/resources; nullopt when absent.
std::optional<Beancounter> read_beancounter(std::uint32_t id,
                                            const std::filesystem::path &root = "/proc");
std::filesystem::path default_source(const std::filesystem::path &root = "/proc");

// vzubc's input: the file, standard input for "-", else the default source.
// Throws Error(1, "Error: cannot read ...") or Error(1, "Error: unknown
// version in ...") (OpenVZ's vzubc words).
std::vector<Beancounter> load_beancounters(const std::optional<std::string> &file);
// A beancounter id as vzubc takes it: a number (0 is the host) or a
// container's name; nullopt for neither.
std::optional<std::uint32_t> beancounter_id(const std::string &text);

} // namespace vz::ubc
