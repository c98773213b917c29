// What vzlist shows: the configured containers, one record per container
// collected from its configuration and the live system, and the table of
// fields (name, header, width, alignment, value) that renders records as
// OpenVZ's columns or as JSON. Adding a column is adding a row to that table.
#pragma once

#include "vzkit/base/config.h"
#include "vzkit/base/json.h"
#include "vzkit/base/ct_config.h"

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace vz {

// Every <N>.conf in ct_conf_dir() with N a valid CTID other than 0, ascending.
// Samples, *.destroyed and anything else are ignored; a missing directory
// means no containers.
std::vector<Ctid> list_ctids();
// A CTID vzlist is asked for: a number, or a name registered in names/
// (OpenVZ takes "0" as a name too). Throws Error(1, "CT ID <text> is invalid.").
Ctid listed_ctid(const std::string &text);

// Declared in OpenVZ's order (vzlist.h), which sorting by status follows.
enum class ListStatus { Running, Stopped, Mounted, Suspended };
std::string_view status_name(ListStatus status); // "running", ...

// The five figures of a beancounter; unset means unknown (a stopped CT has no
// held value; cgroups have no failcnt for some resources).
enum class UbcPart { Held, MaxHeld, Barrier, Limit, Failcnt };
struct UbcFigures {
    std::optional<std::uint64_t> held;
    std::optional<std::uint64_t> maxheld;
    std::optional<std::uint64_t> barrier;
    std::optional<std::uint64_t> limit;
    std::optional<std::uint64_t> failcnt;

    std::optional<std::uint64_t> &at(UbcPart part);
    const std::optional<std::uint64_t> &at(UbcPart part) const;
    bool operator==(const UbcFigures &) const = default;
};

// Named on/off settings in their table's order: FEATURES ("nfs:on") and
// CAPABILITY ("net_admin:off") as vzlist shows them.
using Switches = std::vector<std::pair<std::string, bool>>;

// Everything vzlist can show about one container.
// 1, 5 and 15 minute load averages; seconds since start.
struct LoadAverage {
    std::array<double, 3> la{};
    bool operator==(const LoadAverage &) const = default;
};
struct Uptime {
    double seconds = 0;
    bool operator==(const Uptime &) const = default;
};

struct CtRecord {
    Ctid ctid = 0;
    ListStatus status = ListStatus::Stopped;
    std::optional<std::string> hostname;
    std::optional<std::string> name; // only when names/<name> points back at this CT
    std::optional<std::string> description;
    std::optional<std::string> ostemplate;
    std::optional<std::string> private_path; // VE_PRIVATE, $VEID substituted
    std::optional<std::string> root;         // VE_ROOT, $VEID substituted
    std::vector<std::string> ip;             // IP_ADDRESS, in config order
    std::vector<std::string> nameserver;     // NAMESERVER
    std::vector<std::string> searchdomain;   // SEARCHDOMAIN
    std::optional<std::string> mount_opts;   // MOUNT_OPTS
    std::optional<std::string> origin_sample; // ORIGIN_SAMPLE
    std::optional<bool> onboot;              // unset: "-", as OpenVZ
    std::optional<std::uint64_t> bootorder;
    // CPUUNITS and CPULIMIT: both unset shows "-"; one set shows the other as 0.
    std::optional<std::uint64_t> cpuunits;
    std::optional<std::uint64_t> cpulimit;
    std::optional<std::uint64_t> cpus;       // CPUS
    // IOPRIO 0..7; IOLIMIT bytes/s and IOPSLIMIT per second, 0 = none.
    std::optional<std::uint64_t> ioprio;
    std::optional<std::uint64_t> iolimit;
    std::optional<std::uint64_t> iopslimit;
    std::string layout = "simfs";            // VE_LAYOUT
    Switches features;                       // FEATURES, in vzkit's feature order
    Switches capability;                     // CAPABILITY, in the capability table's order
    bool disabled = false;                   // DISABLED
    std::optional<double> vm_overcommit;     // VM_OVERCOMMIT
    std::optional<std::string> netfilter;    // NETFILTER
    // By resource name ("numproc"), for every UBC field of the field table.
    std::map<std::string, UbcFigures, std::less<>> ubc;
    // diskspace (KB) and diskinodes: held = usage, barrier = soft limit,
    // limit = hard limit. Limits from the config, usage from the quota.
    std::optional<UbcFigures> diskspace;
    std::optional<UbcFigures> diskinodes;
    // From the vzkit module while the CT runs (vzlist's laverage and uptime).
    std::optional<LoadAverage> laverage;
    std::optional<Uptime> uptime;
};

// One container from its loaded configuration plus the live system. nullopt
// when there is no <CTID>.conf, or when the CT is not running and its private
// area is missing (OpenVZ hides those).
std::optional<CtRecord> collect_ct(const CtConfig &config);

enum class StatusFilter {
    All,
    Running,    // vzlist's default
    NotRunning, // vzlist -S
};

struct FieldRef;

// Which live sources a listing reads beyond the configs and the CTs' state:
// what its fields need, so that `vzlist` (ctid, numproc, status, ip,
// hostname) reads no memory counters, quota files or module load averages.
struct ListNeeds {
    // Resources whose held, maxheld or failcnt is shown (barrier and limit
    // come from the config, always there).
    std::set<std::string, std::less<>> live_ubc;
    bool disk = false;    // diskspace, diskinodes: the quota
    bool cpustat = false; // laverage, uptime: the module

    // Everything: what collect_ct() and a caller that renders any field use.
    static ListNeeds all();
    static ListNeeds of(std::span<const FieldRef> fields);
};

// Records of ctids (in that order) that pass filter, each config read once
// with the already parsed vz.conf, and the live system read once for all of
// them (the cgroup layout; each CT's group once). Listing running CTs looks
// at the cgroup first, so stopped CTs' configs are not even read. Fields
// outside needs are left unknown.
std::vector<CtRecord> collect_cts(std::span<const Ctid> ctids, StatusFilter filter,
                                  const ConfigFile &global, const ListNeeds &needs = ListNeeds::all());

// vzlist -h / -N / -d: fnmatch(3) patterns on hostname, name and description.
// A CT without the value never matches a pattern.
struct PatternFilter {
    std::optional<std::string> hostname;
    std::optional<std::string> name;
    std::optional<std::string> description;
    bool matches(const CtRecord &record) const;
};

// ---- Field table ------------------------------------------------------------

// A field's value for one record; the alternative decides how it is printed,
// compared and written as JSON (monostate: unknown → "-" / null).
using FieldValue = std::variant<std::monostate, std::string, std::uint64_t, bool,
                                std::vector<std::string>, UbcFigures, Switches, double,
                                LoadAverage, Uptime>;

enum class Align { Left, Right };
enum class FieldKind {
    Plain,
    Ubc,  // accepts the .m .b .l .f suffixes; the value is UbcFigures
    Disk, // accepts .s and .h (soft and hard limit); the value is UbcFigures
};

struct Field {
    std::string_view name;   // as -o takes it
    std::string_view header; // column header
    int width;               // printf width of the column
    Align align;
    FieldKind kind;
    FieldValue (*value)(const CtRecord &record, const Field &field);
    // Order for -s when it is not the order of the values; nullptr otherwise.
    int (*compare)(const CtRecord &a, const CtRecord &b) = nullptr;
    // The value -j writes when it is not the one the columns show (OpenVZ
    // writes 0 where a column shows "-" for some fields); nullptr otherwise.
    FieldValue (*json_value)(const CtRecord &record, const Field &field) = nullptr;
    // The header's alignment when it is not the values' (OpenVZ right-aligns
    // LAYOUT and ORIGIN_SAMPLE over left-aligned values).
    std::optional<Align> header_align{};
    // Whether a text value is cut to the width when another column follows
    // (OpenVZ's %-N.Ns); false where OpenVZ prints it whole (%-Ns).
    bool clip = true;
};

// Every field, in OpenVZ's order (which is also the order of the JSON keys).
std::span<const Field> fields();

// A field as named on the command line: a row plus, for a UBC field, which of
// its figures ("numproc.m" → MaxHeld; no suffix → Held).
struct FieldRef {
    const Field *field = nullptr;
    UbcPart part = UbcPart::Held;

    std::string name() const;   // "numproc.m"
    std::string header() const; // "NPROC.M"
    bool has_suffix() const { return field->kind != FieldKind::Plain && part != UbcPart::Held; }
};

std::optional<FieldRef> find_field(std::string_view name);
// "ctid,numproc.l" → refs. Throws Error(VZ_INVALID_PARAMETER_VALUE) with
// "Unknown field: X", or, for json, "Field `X' is not available in JSON output"
// for a suffixed UBC field (JSON has every figure in one object).
std::vector<FieldRef> parse_field_list(std::string_view list, bool json);
// Every row without suffix: what vzlist -j prints without -o.
std::vector<FieldRef> json_fields();
// Every name -o accepts, suffixed variants included: what vzlist -L prints.
std::vector<FieldRef> all_field_refs();

// The header line and one record's line, OpenVZ style: columns padded to their
// width and separated by one space, trailing blanks removed. With trim, a text
// value of any column but the last is cut to the column width (and ip shows
// only its first address there); vzlist -t turns that off.
std::string format_header(std::span<const FieldRef> columns);
std::string format_row(std::span<const FieldRef> columns, const CtRecord &record, bool trim);
// One JSON object with the given fields as keys.
void write_json(JsonWriter &json, std::span<const FieldRef> columns, const CtRecord &record);

// The UBC resources among columns asking for live figures (held, maxheld,
// failcnt) have no source without the vzkit module: everything but what the
// cgroup counts. Empty when the module is loaded.
std::vector<std::string> ubc_fields_unavailable(std::span<const FieldRef> columns);

// Stable sort by one field (unknown values first), then reversed if asked,
// as vzlist -s [-]field.
void sort_records(std::vector<CtRecord> &records, const FieldRef &by, bool reverse);

} // namespace vz
