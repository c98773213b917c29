// vzubc's view of beancounters: OpenVZ's table (HELD Bar% Lim% | MAXH Bar%
// Lim% | BAR | LIM | FAIL) with its human-readable numbers, quiet mode,
// failcnt and held deltas against a previous run, and colour.
#pragma once

#include "vzkit/ubc/proc.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vz::ubc {

// "- " for unlimited (LONG_MAX, INT_MAX) and 0; pages shown as bytes; K M G ...
std::string human(std::string_view resource, std::uint64_t value);
// part/whole in percent as vzubc prints it ("- " when whole is unlimited or 0).
std::string percent(std::uint64_t part, std::uint64_t whole);
// Quiet mode keeps rows with failures, or held/maxheld near the barrier.
bool important(const Row &row, double held_ratio, double maxheld_ratio);

// Values of a previous run, per beancounter and resource.
using Baseline = std::map<std::pair<std::uint32_t, std::string>, std::uint64_t>;

struct ViewOptions {
    std::vector<std::uint32_t> ids; // empty: every beancounter
    bool quiet = false;
    double held_ratio = 0.8;
    double maxheld_ratio = 0.5;
    bool verbose = false;                    // exact numbers instead of K/M/G
    bool colour = false;                     // failures red, rows near their limits yellow
    const Baseline *failcnt_since = nullptr; // -r: FAIL counts since then
    const Baseline *held_since = nullptr;    // -i: HELD as a change since then
};

std::string render(const std::vector<Beancounter> &bcs, const ViewOptions &options);

// The store of vzubc -r / -i: one file per beancounter and resource,
// <dir>/ubc.<id>.<resource>.<what>, holding a number.
class BaselineStore {
  public:
    BaselineStore(std::filesystem::path dir, std::string what)
        : dir_(std::move(dir)), what_(std::move(what)) {}
    Baseline load() const;
    // Writes the current values (atomically, file by file); creates dir (0700).
    void save(const std::vector<Beancounter> &bcs, std::uint64_t (*value)(const Row &row)) const;
    void clear() const;

  private:
    std::filesystem::path dir_;
    std::string what_;
};

} // namespace vz::ubc
