// vzlist's field table and how a record is rendered through it: OpenVZ's
// fixed-width columns, JSON, and the -s order.
#include "vzkit/ct/list.h"

#include "vzkit/base/error.h"
#include "vzkit/ubc/ubc.h"
#include "vzkit/base/util.h"

#include <algorithm>
#include <array>
#include <cstdio>

namespace vz {
namespace {

template <class... Ts> struct Overloaded : Ts... { using Ts::operator()...; };
// Spelled out: clang 14 (the fuzzing build) has no aggregate deduction.
template <class... Ts> Overloaded(Ts...) -> Overloaded<Ts...>;

// ---- values ------------------------------------------------------------------

template <std::optional<std::string> CtRecord::*Member>
FieldValue text_of(const CtRecord &record, const Field &) {
    const auto &value = record.*Member;
    return value ? FieldValue(*value) : FieldValue();
}

template <std::optional<std::uint64_t> CtRecord::*Member>
FieldValue number_of(const CtRecord &record, const Field &) {
    const auto &value = record.*Member;
    return value ? FieldValue(*value) : FieldValue();
}

FieldValue ctid_value(const CtRecord &record, const Field &) {
    return std::uint64_t{record.ctid};
}

// The name when the CT has one, else its CTID (OpenVZ's print_smart_name).
FieldValue smart_name_value(const CtRecord &record, const Field &field) {
    return record.name ? FieldValue(*record.name) : ctid_value(record, field);
}

FieldValue ip_value(const CtRecord &record, const Field &) {
    return record.ip;
}

FieldValue status_value(const CtRecord &record, const Field &) {
    return std::string(status_name(record.status));
}

template <std::vector<std::string> CtRecord::*Member>
FieldValue list_of(const CtRecord &record, const Field &) {
    return record.*Member;
}

template <std::optional<bool> CtRecord::*Member>
FieldValue flag_of(const CtRecord &record, const Field &) {
    const auto &value = record.*Member;
    return value ? FieldValue(*value) : FieldValue();
}

template <bool CtRecord::*Member> FieldValue bool_of(const CtRecord &record, const Field &) {
    return record.*Member;
}

template <Switches CtRecord::*Member> FieldValue switches_of(const CtRecord &record, const Field &) {
    return record.*Member;
}

// A number OpenVZ shows as "-" below min (unset, or 0 meaning "none") and
// writes to JSON as 0 when unset: cpus, ioprio, iolimit, iopslimit.
template <std::optional<std::uint64_t> CtRecord::*Member, std::uint64_t Min>
FieldValue shown_from(const CtRecord &record, const Field &) {
    const auto &value = record.*Member;
    return value && *value >= Min ? FieldValue(*value) : FieldValue();
}

template <std::optional<std::uint64_t> CtRecord::*Member>
FieldValue zero_if_unset(const CtRecord &record, const Field &) {
    return (record.*Member).value_or(0);
}

FieldValue layout_value(const CtRecord &record, const Field &) {
    return record.layout;
}

// OpenVZ's is_vswap_config: a physpages limit that is not unlimited.
FieldValue vswap_value(const CtRecord &record, const Field &) {
    auto it = record.ubc.find("physpages");
    const auto limit = it != record.ubc.end() ? it->second.limit : std::nullopt;
    return !limit || (*limit != ubc::kUnlimited && *limit != 2147483647);
}

FieldValue vm_overcommit_value(const CtRecord &record, const Field &) {
    return record.vm_overcommit ? FieldValue(*record.vm_overcommit) : FieldValue();
}

FieldValue vm_overcommit_json(const CtRecord &record, const Field &) {
    return record.vm_overcommit.value_or(0.0);
}

// UBC rows are named after their resource, so one getter serves them all.
FieldValue ubc_value(const CtRecord &record, const Field &field) {
    auto it = record.ubc.find(field.name);
    return it != record.ubc.end() ? FieldValue(it->second) : FieldValue();
}

// OpenVZ's -j writes 0 for the held, maxheld and failcnt of a CT that is not
// running (its columns show "-").
FieldValue ubc_json(const CtRecord &record, const Field &field) {
    FieldValue value = ubc_value(record, field);
    if (auto *figures = std::get_if<UbcFigures>(&value); figures && record.status != ListStatus::Running)
        for (UbcPart part : {UbcPart::Held, UbcPart::MaxHeld, UbcPart::Failcnt})
            figures->at(part) = 0;
    return value;
}

template <std::optional<UbcFigures> CtRecord::*Member>
FieldValue disk_value(const CtRecord &record, const Field &) {
    const auto &value = record.*Member;
    return value ? FieldValue(*value) : FieldValue();
}

FieldValue laverage_value(const CtRecord &record, const Field &) {
    return record.laverage ? FieldValue(*record.laverage) : FieldValue();
}

FieldValue uptime_value(const CtRecord &record, const Field &) {
    return record.uptime ? FieldValue(*record.uptime) : FieldValue();
}

// Unknown first, then by the 1, 5 and 15 minute figures (OpenVZ's laverage_sort_fn).
int compare_laverage(const CtRecord &a, const CtRecord &b) {
    if (!a.laverage || !b.laverage)
        return a.laverage ? 1 : (b.laverage ? -1 : 0);
    return a.laverage->la < b.laverage->la ? -1 : (b.laverage->la < a.laverage->la ? 1 : 0);
}

// Unknown first, then the longest running first (OpenVZ's uptime_sort_fn).
int compare_uptime(const CtRecord &a, const CtRecord &b) {
    if (!a.uptime || !b.uptime)
        return a.uptime ? 1 : (b.uptime ? -1 : 0);
    const double x = a.uptime->seconds, y = b.uptime->seconds;
    return x > y ? -1 : (x < y ? 1 : 0);
}

int compare_ctid(const CtRecord &a, const CtRecord &b) {
    return a.ctid < b.ctid ? -1 : (a.ctid > b.ctid ? 1 : 0);
}

// OpenVZ orders by the status enum, then by CTID.
int compare_status(const CtRecord &a, const CtRecord &b) {
    if (a.status != b.status)
        return a.status < b.status ? -1 : 1;
    return compare_ctid(a, b);
}

// OpenVZ does not sort by these fields (none_sort_fn): the CTID order stays.
int compare_none(const CtRecord &, const CtRecord &) {
    return 0;
}

// OpenVZ's bootorder_sort_fn: unset first, then by BOOTORDER; ties (and CTs
// without one) in descending CTID order, so that the init script's
// "vzlist -s-bootorder" starts the highest BOOTORDER first and equal ones by
// ascending CTID.
int compare_bootorder(const CtRecord &a, const CtRecord &b) {
    if (a.bootorder != b.bootorder)
        return a.bootorder < b.bootorder ? -1 : 1; // nullopt orders first
    return -compare_ctid(a, b);
}

// smart_name sorts by name (CTs without one first), as OpenVZ does.
int compare_names(const CtRecord &a, const CtRecord &b) {
    if (a.name == b.name)
        return 0;
    return a.name < b.name ? -1 : 1; // nullopt orders first
}

// ---- the table ---------------------------------------------------------------

using enum Align;
using enum FieldKind;

// OpenVZ's names, headers and printf widths; veid and vpsid are its old
// aliases of ctid and, as there, are listed by -L and printed by -j.
// UBC rows are named after their resource: barrier and limit come from the
// config by themselves, live figures from the vzkit module (or, without it,
// the cgroup figures of ct/list.cpp).
constexpr auto kFields = std::to_array<Field>({
    {"ctid", "CTID", 10, Right, Plain, ctid_value, compare_ctid},
    {"veid", "CTID", 10, Right, Plain, ctid_value, compare_ctid},
    {"vpsid", "CTID", 10, Right, Plain, ctid_value, compare_ctid},
    {"private", "PRIVATE", 32, Left, Plain, text_of<&CtRecord::private_path>, nullptr},
    {"root", "ROOT", 32, Left, Plain, text_of<&CtRecord::root>, nullptr},
    {"mount_opts", "MOUNT_OPTS", 16, Left, Plain, text_of<&CtRecord::mount_opts>, nullptr},
    {"origin_sample", "ORIGIN_SAMPLE", 32, Left, Plain, text_of<&CtRecord::origin_sample>,
     nullptr, nullptr, Right},
    {"hostname", "HOSTNAME", 32, Left, Plain, text_of<&CtRecord::hostname>, nullptr},
    {"name", "NAME", 32, Left, Plain, text_of<&CtRecord::name>, nullptr},
    {"smart_name", "SMARTNAME", 10, Right, Plain, smart_name_value, compare_names},
    {"description", "DESCRIPTION", 32, Left, Plain, text_of<&CtRecord::description>, nullptr},
    {"ostemplate", "OSTEMPLATE", 32, Left, Plain, text_of<&CtRecord::ostemplate>, nullptr},
    {"ip", "IP_ADDR", 15, Left, Plain, ip_value, nullptr},
    {"nameserver", "NAMESERVER", 15, Left, Plain, list_of<&CtRecord::nameserver>, nullptr},
    {"searchdomain", "SEARCHDOMAIN", 15, Left, Plain, list_of<&CtRecord::searchdomain>, nullptr},
    {"status", "STATUS", 9, Left, Plain, status_value, compare_status},
    {"kmemsize", "KMEMSIZE", 10, Right, Ubc, ubc_value, nullptr, ubc_json},
    {"lockedpages", "LOCKEDP", 10, Right, Ubc, ubc_value, nullptr, ubc_json},
    {"privvmpages", "PRIVVMP", 10, Right, Ubc, ubc_value, nullptr, ubc_json},
    {"shmpages", "SHMP", 10, Right, Ubc, ubc_value, nullptr, ubc_json},
    {"numproc", "NPROC", 10, Right, Ubc, ubc_value, nullptr, ubc_json},
    {"physpages", "PHYSP", 10, Right, Ubc, ubc_value, nullptr, ubc_json},
    {"vmguarpages", "VMGUARP", 10, Right, Ubc, ubc_value, nullptr, ubc_json},
    {"oomguarpages", "OOMGUARP", 10, Right, Ubc, ubc_value, nullptr, ubc_json},
    {"numtcpsock", "NTCPSOCK", 10, Right, Ubc, ubc_value, nullptr, ubc_json},
    {"numflock", "NFLOCK", 10, Right, Ubc, ubc_value, nullptr, ubc_json},
    {"numpty", "NPTY", 10, Right, Ubc, ubc_value, nullptr, ubc_json},
    {"numsiginfo", "NSIGINFO", 10, Right, Ubc, ubc_value, nullptr, ubc_json},
    {"tcpsndbuf", "TCPSNDB", 10, Right, Ubc, ubc_value, nullptr, ubc_json},
    {"tcprcvbuf", "TCPRCVB", 10, Right, Ubc, ubc_value, nullptr, ubc_json},
    {"othersockbuf", "OTHSOCKB", 10, Right, Ubc, ubc_value, nullptr, ubc_json},
    {"dgramrcvbuf", "DGRAMRB", 10, Right, Ubc, ubc_value, nullptr, ubc_json},
    {"numothersock", "NOTHSOCK", 10, Right, Ubc, ubc_value, nullptr, ubc_json},
    {"dcachesize", "DCACHESZ", 10, Right, Ubc, ubc_value, nullptr, ubc_json},
    {"numfile", "NFILE", 10, Right, Ubc, ubc_value, nullptr, ubc_json},
    {"numiptent", "NIPTENT", 10, Right, Ubc, ubc_value, nullptr, ubc_json},
    {"swappages", "SWAPP", 10, Right, Ubc, ubc_value, nullptr, ubc_json},
    {"diskspace", "DSPACE", 10, Right, Disk, disk_value<&CtRecord::diskspace>, nullptr},
    {"diskinodes", "DINODES", 10, Right, Disk, disk_value<&CtRecord::diskinodes>, nullptr},
    {"laverage", "LAVERAGE", 14, Right, Plain, laverage_value, compare_laverage},
    {"uptime", "UPTIME", 15, Right, Plain, uptime_value, compare_uptime},
    {"cpulimit", "CPULIM", 7, Right, Plain, number_of<&CtRecord::cpulimit>, nullptr},
    {"cpuunits", "CPUUNI", 7, Right, Plain, number_of<&CtRecord::cpuunits>, nullptr},
    {"cpus", "CPUS", 5, Right, Plain, shown_from<&CtRecord::cpus, 1>, nullptr,
     zero_if_unset<&CtRecord::cpus>},
    {"ioprio", "IOP", 3, Right, Plain, shown_from<&CtRecord::ioprio, 0>, nullptr,
     zero_if_unset<&CtRecord::ioprio>},
    {"iolimit", "IOLIMIT", 10, Right, Plain, shown_from<&CtRecord::iolimit, 1>, nullptr,
     zero_if_unset<&CtRecord::iolimit>},
    {"iopslimit", "IOPS", 4, Right, Plain, shown_from<&CtRecord::iopslimit, 1>, nullptr,
     zero_if_unset<&CtRecord::iopslimit>},
    {"onboot", "ONBOOT", 6, Right, Plain, flag_of<&CtRecord::onboot>, compare_none},
    {"bootorder", "BOOTORDER", 10, Right, Plain, number_of<&CtRecord::bootorder>,
     compare_bootorder},
    // OpenVZ's %-6s, never cut: "overlay" runs one past the column.
    {"layout", "LAYOUT", 6, Left, Plain, layout_value, nullptr, nullptr, Right, false},
    {"features", "FEATURES", 15, Left, Plain, switches_of<&CtRecord::features>, compare_none},
    {"vswap", "VSWAP", 5, Right, Plain, vswap_value, compare_none},
    {"disabled", "DISABL", 6, Right, Plain, bool_of<&CtRecord::disabled>, compare_none},
    {"vm_overcommit", "VM_OVC", 6, Right, Plain, vm_overcommit_value, compare_none,
     vm_overcommit_json},
    {"netfilter", "NETFILTER", 9, Left, Plain, text_of<&CtRecord::netfilter>, compare_none},
    {"capability", "CAPABILITY", 15, Left, Plain, switches_of<&CtRecord::capability>,
     compare_none},
});

// The figures of a UBC or disk field in output order: the suffix of its
// column name (none for held: "kmemsize" is the held value, "diskspace" the
// usage) and its key in JSON output, as OpenVZ's vzlist names them.
struct PartName {
    FieldKind kind;
    UbcPart part;
    std::string_view suffix;
    std::string_view json_key;
};

constexpr auto kPartNames = std::to_array<PartName>({
    {Ubc, UbcPart::Held, "", "held"},
    {Ubc, UbcPart::MaxHeld, ".m", "maxheld"},
    {Ubc, UbcPart::Barrier, ".b", "barrier"},
    {Ubc, UbcPart::Limit, ".l", "limit"},
    {Ubc, UbcPart::Failcnt, ".f", "failcnt"},
    {Disk, UbcPart::Held, "", "usage"},
    {Disk, UbcPart::Barrier, ".s", "softlimit"},
    {Disk, UbcPart::Limit, ".h", "hardlimit"},
});

std::string_view suffix_of(FieldKind kind, UbcPart part) {
    auto it = std::ranges::find_if(
        kPartNames, [&](const PartName &p) { return p.kind == kind && p.part == part; });
    return it != kPartNames.end() ? it->suffix : std::string_view();
}

const Field *find_row(std::string_view name) {
    auto it = std::ranges::find(kFields, name, &Field::name);
    return it != kFields.end() ? &*it : nullptr;
}

// ---- text columns ------------------------------------------------------------

// OpenVZ prints every figure as a number, unlimited as LONG_MAX
// (9223372036854775807): libvirt and scripts parse it.
std::string number_text(std::uint64_t value) {
    return std::to_string(value);
}

// Names with their state, "nfs:on,ppp:off" (OpenVZ's features and capability).
std::string switches_text(const Switches &switches) {
    std::vector<std::string> items;
    for (const auto &[name, on] : switches)
        items.push_back(name + (on ? ":on" : ":off"));
    return items.empty() ? std::string("-") : join(items, ",");
}

// printf's %g, as OpenVZ prints VM_OVERCOMMIT.
std::string general_text(double value) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", value);
    return buf;
}

// OpenVZ's "%1.2f/%1.2f/%1.2f".
std::string laverage_text(const LoadAverage &load) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%1.2f/%1.2f/%1.2f", load.la[0], load.la[1], load.la[2]);
    return buf;
}

// OpenVZ's "%.3dd%.2dh:%.2dm:%.2ds": days, hours, minutes, seconds.
std::string uptime_text(const Uptime &up) {
    const auto total = static_cast<unsigned long long>(up.seconds > 0 ? up.seconds : 0);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.3llud%.2lluh:%.2llum:%.2llus", total / 86400,
                  total / 3600 % 24, total / 60 % 60, total % 60);
    return buf;
}

// The unpadded text of a value. first_only: a list shows its first item.
std::string cell_text(const FieldValue &value, UbcPart part, bool first_only) {
    return std::visit(
        Overloaded{
            [](std::monostate) -> std::string { return "-"; },
            [](const std::string &text) { return text.empty() ? std::string("-") : text; },
            [](std::uint64_t number) { return number_text(number); },
            [](bool flag) -> std::string { return flag ? "yes" : "no"; },
            [&](const std::vector<std::string> &list) {
                if (list.empty())
                    return std::string("-");
                return first_only ? list.front() : join(list, " ");
            },
            [&](const UbcFigures &figures) {
                const auto &number = figures.at(part);
                return number ? number_text(*number) : std::string("-");
            },
            [](const Switches &switches) { return switches_text(switches); },
            [](double number) { return general_text(number); },
            [](const LoadAverage &load) { return laverage_text(load); },
            [](const Uptime &up) { return uptime_text(up); },
        },
        value);
}

// Cuts text to width bytes without splitting a UTF-8 character.
void clip(std::string &text, std::size_t width) {
    if (text.size() <= width)
        return;
    std::size_t cut = width;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xc0) == 0x80)
        --cut;
    text.resize(cut);
}

std::string pad(std::string text, int width, Align align) {
    const auto w = static_cast<std::size_t>(width);
    if (text.size() >= w)
        return text;
    const std::string fill(w - text.size(), ' ');
    return align == Align::Left ? text + fill : fill + text;
}

bool is_text(const FieldValue &value) {
    return std::holds_alternative<std::string>(value) ||
           std::holds_alternative<std::vector<std::string>>(value) ||
           std::holds_alternative<Switches>(value);
}

// OpenVZ cuts text values of every column but the last to the column width
// so that columns stay aligned; numbers are never cut.
std::string format_cell(const FieldRef &ref, const CtRecord &record, bool cut) {
    const FieldValue value = ref.field->value(record, *ref.field);
    std::string text = cell_text(value, ref.part, cut);
    if (cut && ref.field->clip && is_text(value))
        clip(text, static_cast<std::size_t>(ref.field->width));
    return pad(std::move(text), ref.field->width, ref.field->align);
}

std::string join_columns(const std::vector<std::string> &cells) {
    std::string line = join(cells, " ");
    line.erase(line.find_last_not_of(' ') + 1);
    return line;
}

// ---- JSON and sorting --------------------------------------------------------

void write_value(JsonWriter &json, const FieldValue &value, FieldKind kind) {
    std::visit(Overloaded{
                   [&](std::monostate) { json.null(); },
                   [&](const std::string &text) { json.string(text); },
                   [&](std::uint64_t number) { json.number(number); },
                   [&](bool flag) { json.boolean(flag); },
                   [&](const std::vector<std::string> &list) {
                       json.begin_array();
                       for (const auto &item : list)
                           json.string(item);
                       json.end_array();
                   },
                   [&](const UbcFigures &figures) {
                       json.begin_object();
                       for (const auto &[row_kind, part, suffix, key] : kPartNames) {
                           if (row_kind != kind)
                               continue;
                           json.key(key);
                           if (const auto &number = figures.at(part))
                               json.number(*number);
                           else
                               json.null();
                       }
                       json.end_object();
                   },
                   // OpenVZ: an object of booleans, null when none is set.
                   [&](const Switches &switches) {
                       if (switches.empty()) {
                           json.null();
                           return;
                       }
                       json.begin_object();
                       for (const auto &[name, on] : switches) {
                           json.key(name);
                           json.boolean(on);
                       }
                       json.end_object();
                   },
                   [&](double number) { json.real(number); },
                   [&](const LoadAverage &load) {
                       json.begin_array();
                       for (double la : load.la)
                           json.decimal(la, 2);
                       json.end_array();
                   },
                   [&](const Uptime &up) { json.decimal(up.seconds, 3); },
               },
               value);
}

// Values reduced to something ordered: unknown < numbers < text.
using SortKey = std::variant<std::monostate, std::uint64_t, std::string>;

SortKey sort_key(const FieldValue &value, UbcPart part) {
    return std::visit(
        Overloaded{
            [](std::monostate) -> SortKey { return {}; },
            [](const std::string &text) -> SortKey { return text; },
            [](std::uint64_t number) -> SortKey { return number; },
            [](bool flag) -> SortKey { return std::uint64_t{flag}; },
            [](const std::vector<std::string> &list) -> SortKey { return join(list, " "); },
            [&](const UbcFigures &figures) -> SortKey {
                const auto &number = figures.at(part);
                return number ? SortKey(*number) : SortKey();
            },
            [](const Switches &switches) -> SortKey { return switches_text(switches); },
            [](double number) -> SortKey { return general_text(number); },
            // Their rows order through compare_laverage and compare_uptime.
            [](const LoadAverage &) -> SortKey { return {}; },
            [](const Uptime &) -> SortKey { return {}; },
        },
        value);
}

} // namespace

std::span<const Field> fields() {
    return kFields;
}

std::string FieldRef::name() const {
    return std::string(field->name) + std::string(suffix_of(field->kind, part));
}

std::string FieldRef::header() const {
    return std::string(field->header) + to_upper(suffix_of(field->kind, part));
}

std::optional<FieldRef> find_field(std::string_view name) {
    if (const Field *row = find_row(name))
        return FieldRef{row, UbcPart::Held};
    for (const auto &[kind, part, suffix, json_key] : kPartNames) {
        if (suffix.empty() || !name.ends_with(suffix))
            continue;
        const Field *row = find_row(name.substr(0, name.size() - suffix.size()));
        if (row && row->kind == kind)
            return FieldRef{row, part};
    }
    return std::nullopt;
}

std::vector<FieldRef> parse_field_list(std::string_view list, bool json) {
    std::vector<FieldRef> out;
    for (const auto &name : split(list, ',', false)) {
        auto ref = find_field(name);
        if (!ref)
            throw Error(VZ_INVALID_PARAMETER_VALUE, "Unknown field: " + name);
        if (json && ref->has_suffix())
            throw Error(VZ_INVALID_PARAMETER_VALUE,
                        "Field `" + name + "' is not available in JSON output");
        out.push_back(*ref);
    }
    return out;
}

std::vector<FieldRef> json_fields() {
    std::vector<FieldRef> out;
    for (const Field &row : kFields)
        out.push_back({&row, UbcPart::Held});
    return out;
}

std::vector<FieldRef> all_field_refs() {
    std::vector<FieldRef> out;
    for (const Field &row : kFields) {
        for (const auto &name : kPartNames)
            if (name.kind == row.kind)
                out.push_back({&row, name.part});
        if (row.kind == Plain)
            out.push_back({&row, UbcPart::Held});
    }
    return out;
}

std::string format_header(std::span<const FieldRef> columns) {
    std::vector<std::string> cells;
    for (const FieldRef &ref : columns)
        cells.push_back(
            pad(ref.header(), ref.field->width, ref.field->header_align.value_or(ref.field->align)));
    return join_columns(cells);
}

std::string format_row(std::span<const FieldRef> columns, const CtRecord &record, bool trim) {
    std::vector<std::string> cells;
    for (std::size_t i = 0; i < columns.size(); ++i)
        cells.push_back(format_cell(columns[i], record, trim && i + 1 < columns.size()));
    return join_columns(cells);
}

void write_json(JsonWriter &json, std::span<const FieldRef> columns, const CtRecord &record) {
    json.begin_object();
    for (const FieldRef &ref : columns) {
        json.key(ref.name());
        const auto value_of = ref.field->json_value ? ref.field->json_value : ref.field->value;
        write_value(json, value_of(record, *ref.field), ref.field->kind);
    }
    json.end_object();
}

void sort_records(std::vector<CtRecord> &records, const FieldRef &by, bool reverse) {
    const Field &field = *by.field;
    auto less = [&](const CtRecord &a, const CtRecord &b) {
        if (field.compare)
            return field.compare(a, b) < 0;
        return sort_key(field.value(a, field), by.part) < sort_key(field.value(b, field), by.part);
    };
    std::ranges::stable_sort(records, less);
    // Reversing the sorted list (rather than sorting descending) is what
    // OpenVZ does: ties come out in descending CTID order too.
    if (reverse)
        std::ranges::reverse(records);
}

} // namespace vz
