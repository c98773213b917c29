// vzlist's field table and how a record is rendered through it: OpenVZ's
// fixed-width columns, JSON, and the -s order.
#include "vzkit/ct/list.h"

#include "vzkit/base/error.h"
#include "vzkit/ubc/ubc.h"
#include "vzkit/base/util.h"

#include <algorithm>
#include <cstdio>
#include <array>

namespace vz {
namespace {

template <class... Ts> struct Overloaded : Ts... { using Ts::operator()...; };

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

FieldValue onboot_value(const CtRecord &record, const Field &) {
    return record.onboot;
}

// UBC rows are named after their resource, so one getter serves them all.
FieldValue ubc_value(const CtRecord &record, const Field &field) {
    auto it = record.ubc.find(field.name);
    return it != record.ubc.end() ? FieldValue(it->second) : FieldValue();
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
    {"hostname", "HOSTNAME", 32, Left, Plain, text_of<&CtRecord::hostname>, nullptr},
    {"name", "NAME", 32, Left, Plain, text_of<&CtRecord::name>, nullptr},
    {"smart_name", "SMARTNAME", 10, Right, Plain, smart_name_value, compare_names},
    {"description", "DESCRIPTION", 32, Left, Plain, text_of<&CtRecord::description>, nullptr},
    {"ostemplate", "OSTEMPLATE", 32, Left, Plain, text_of<&CtRecord::ostemplate>, nullptr},
    // OpenVZ's %-6s, one wider: it cuts every column but the last, and "overlay" has 7.
    {"layout", "LAYOUT", 7, Left, Plain, text_of<&CtRecord::layout>, nullptr},
    {"ip", "IP_ADDR", 15, Left, Plain, ip_value, nullptr},
    {"status", "STATUS", 9, Left, Plain, status_value, compare_status},
    {"kmemsize", "KMEMSIZE", 10, Right, Ubc, ubc_value, nullptr},
    {"lockedpages", "LOCKEDP", 10, Right, Ubc, ubc_value, nullptr},
    {"privvmpages", "PRIVVMP", 10, Right, Ubc, ubc_value, nullptr},
    {"shmpages", "SHMP", 10, Right, Ubc, ubc_value, nullptr},
    {"numproc", "NPROC", 10, Right, Ubc, ubc_value, nullptr},
    {"physpages", "PHYSP", 10, Right, Ubc, ubc_value, nullptr},
    {"vmguarpages", "VMGUARP", 10, Right, Ubc, ubc_value, nullptr},
    {"oomguarpages", "OOMGUARP", 10, Right, Ubc, ubc_value, nullptr},
    {"numtcpsock", "NTCPSOCK", 10, Right, Ubc, ubc_value, nullptr},
    {"numflock", "NFLOCK", 10, Right, Ubc, ubc_value, nullptr},
    {"numpty", "NPTY", 10, Right, Ubc, ubc_value, nullptr},
    {"numsiginfo", "NSIGINFO", 10, Right, Ubc, ubc_value, nullptr},
    {"tcpsndbuf", "TCPSNDB", 10, Right, Ubc, ubc_value, nullptr},
    {"tcprcvbuf", "TCPRCVB", 10, Right, Ubc, ubc_value, nullptr},
    {"othersockbuf", "OTHSOCKB", 10, Right, Ubc, ubc_value, nullptr},
    {"dgramrcvbuf", "DGRAMRB", 10, Right, Ubc, ubc_value, nullptr},
    {"numothersock", "NOTHSOCK", 10, Right, Ubc, ubc_value, nullptr},
    {"dcachesize", "DCACHESZ", 10, Right, Ubc, ubc_value, nullptr},
    {"numfile", "NFILE", 10, Right, Ubc, ubc_value, nullptr},
    {"numiptent", "NIPTENT", 10, Right, Ubc, ubc_value, nullptr},
    {"swappages", "SWAPP", 10, Right, Ubc, ubc_value, nullptr},
    {"cpulimit", "CPULIM", 7, Right, Plain, number_of<&CtRecord::cpulimit>, nullptr},
    {"cpuunits", "CPUUNI", 7, Right, Plain, number_of<&CtRecord::cpuunits>, nullptr},
    {"onboot", "ONBOOT", 6, Right, Plain, onboot_value, nullptr},
    {"diskspace", "DSPACE", 10, Right, Disk, disk_value<&CtRecord::diskspace>, nullptr},
    {"diskinodes", "DINODES", 10, Right, Disk, disk_value<&CtRecord::diskinodes>, nullptr},
    {"laverage", "LAVERAGE", 14, Right, Plain, laverage_value, compare_laverage},
    {"uptime", "UPTIME", 15, Right, Plain, uptime_value, compare_uptime},
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

std::string number_text(std::uint64_t value) {
    return value == ubc::kUnlimited ? "unlimited" : std::to_string(value);
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
            // OpenVZ shows a zero CPU limit or weight as "-": it means "not set".
            [](std::uint64_t number) { return number == 0 ? "-" : std::to_string(number); },
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
           std::holds_alternative<std::vector<std::string>>(value);
}

// OpenVZ cuts text values of every column but the last to the column width
// so that columns stay aligned; numbers are never cut.
std::string format_cell(const FieldRef &ref, const CtRecord &record, bool cut) {
    const FieldValue value = ref.field->value(record, *ref.field);
    std::string text = cell_text(value, ref.part, cut);
    if (cut && is_text(value))
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
        cells.push_back(pad(ref.header(), ref.field->width, ref.field->align));
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
        write_value(json, ref.field->value(record, *ref.field), ref.field->kind);
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
