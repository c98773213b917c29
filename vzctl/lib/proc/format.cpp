// Parsing vzps's -o lists and --sort keys, sorting, and rendering rows as an
// aligned table or JSON (see proc/format.h).
#include "vzkit/proc/format.h"

#include "vzkit/base/error.h"
#include "vzkit/base/json.h"
#include "vzkit/base/util.h"

#include <algorithm>
#include <array>
#include <cstdio>

namespace vz {
namespace {

// procps's other names for the same fields; a non-empty header replaces the
// field's (procps prints "CMD" for cmd, "COMMAND" for args).
struct PsAlias {
    std::string_view alias;
    std::string_view field;
    std::string_view header;
};

constexpr auto kAliases = std::to_array<PsAlias>({
    {"veid", "ctid", ""},    {"envid", "ctid", ""},
    {"pgrp", "pgid", ""},    {"sess", "sid", ""},
    {"session", "sid", ""},  {"euser", "user", ""},
    {"uname", "user", ""},   {"euid", "uid", ""},
    {"egroup", "group", ""}, {"egid", "gid", ""},
    {"%cpu", "pcpu", ""},    {"%mem", "pmem", ""},
    {"rssize", "rss", ""},   {"rsz", "rss", "RSZ"},
    {"vsize", "vsz", ""},    {"state", "s", ""},
    {"nice", "ni", ""},      {"thcount", "nlwp", "THCNT"},
    {"tt", "tty", ""},       {"tname", "tty", ""},
    {"cputime", "time", ""}, {"start_time", "stime", "START"},
    {"ucomm", "comm", ""},   {"ucmd", "comm", "CMD"},
    {"command", "args", ""}, {"cmd", "args", "CMD"},
});

const PsField *find_field(std::string_view name) {
    auto fields = ps_fields();
    auto it = std::ranges::find(fields, name, &PsField::name);
    return it != fields.end() ? &*it : nullptr;
}

// The field and default header a name selects.
std::optional<PsColumn> column_named(std::string_view name) {
    if (const PsField *field = find_field(name))
        return PsColumn{field, std::string(field->header), std::nullopt};
    auto alias = std::ranges::find(kAliases, name, &PsAlias::alias);
    if (alias == kAliases.end())
        return std::nullopt;
    const PsField *field = find_field(alias->field);
    return PsColumn{field, std::string(alias->header.empty() ? field->header : alias->header),
                    std::nullopt};
}

PsColumn parse_column(std::string_view item, int code) {
    std::string_view name = item;
    std::optional<std::size_t> width;
    if (auto colon = item.find(':'); colon != std::string_view::npos) {
        name = item.substr(0, colon);
        auto value = parse_number<std::uint64_t>(item.substr(colon + 1));
        if (!value || *value == 0 || *value > 4096)
            throw Error(code, "Bad width in format specifier: " + std::string(item));
        width = *value;
    }
    auto column = column_named(name);
    if (!column)
        throw Error(code,
                    "Unknown format specifier: " + std::string(name) + " (vzps --list shows them)");
    column->width = width;
    return *column;
}

bool is_separator(char c) {
    return c == ',' || c == ' ' || c == '\t';
}

int compare_values(const PsValue &a, const PsValue &b) {
    if (a.index() != b.index())
        return a.index() < b.index() ? -1 : 1;
    return std::visit(
        [&](const auto &x) {
            const auto &y = std::get<std::decay_t<decltype(x)>>(b);
            return x < y ? -1 : (y < x ? 1 : 0);
        },
        a);
}

std::string cell_text(const PsColumn &column, const ProcEntry &entry, PsContext &ctx) {
    if (column.field->text)
        return column.field->text(entry, ctx);
    return std::visit(
        [](const auto &v) -> std::string {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::string>)
                return v;
            else if constexpr (std::is_same_v<T, double>) {
                char buf[32];
                std::snprintf(buf, sizeof buf, "%.1f", v);
                return buf;
            } else
                return std::to_string(v);
        },
        column.field->value(entry, ctx));
}

// Fixed width for a column: asked for with ":N", or a long-text column that
// is not last (procps cuts those rather than push the next column away).
std::optional<std::size_t> fixed_width(const PsColumn &column, bool last) {
    if (column.width)
        return column.width;
    if (column.field->truncate && !last)
        return column.field->width;
    return std::nullopt;
}

void append_cell(std::string &line, std::string_view text, std::size_t width, PsAlign align,
                 bool last) {
    const std::size_t pad = width > text.size() ? width - text.size() : 0;
    if (align == PsAlign::Right)
        line.append(pad, ' ');
    line.append(text);
    if (align == PsAlign::Left && !last)
        line.append(pad, ' ');
}

void write_line(std::ostream &out, std::string &line, std::size_t max_width) {
    if (max_width && line.size() > max_width)
        line.resize(max_width);
    while (!line.empty() && line.back() == ' ')
        line.pop_back();
    out << line << '\n';
}

// JSON numbers for real values: one decimal, as the table shows them.
void write_json_value(std::ostream &out, const PsValue &value) {
    if (auto text = std::get_if<std::string>(&value)) {
        out << json_quote(*text);
    } else if (auto real = std::get_if<double>(&value)) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.1f", *real);
        out << buf;
    } else {
        out << std::get<std::int64_t>(value);
    }
}

} // namespace

std::vector<std::string> ps_field_names() {
    std::vector<std::string> names;
    for (const auto &field : ps_fields())
        names.emplace_back(field.name);
    for (const auto &alias : kAliases)
        names.emplace_back(alias.alias);
    return names;
}

std::vector<PsColumn> parse_ps_format(std::string_view spec, int code) {
    std::vector<PsColumn> columns;
    std::size_t pos = 0;
    while (pos < spec.size()) {
        if (is_separator(spec[pos])) {
            ++pos;
            continue;
        }
        std::size_t end = pos;
        while (end < spec.size() && !is_separator(spec[end]) && spec[end] != '=')
            ++end;
        PsColumn column = parse_column(spec.substr(pos, end - pos), code);
        if (end < spec.size() && spec[end] == '=') {
            column.header = std::string(spec.substr(end + 1));
            end = spec.size();
        }
        columns.push_back(std::move(column));
        pos = end;
    }
    if (columns.empty())
        throw Error(code, "Empty format list");
    return columns;
}

ProcQuery ps_query(std::span<const PsColumn> columns) {
    ProcQuery query;
    for (const auto &column : columns) {
        query.status |= (column.field->needs & kPsNeedStatus) != 0;
        query.cmdline |= (column.field->needs & kPsNeedCmdline) != 0;
        query.cgroup |= (column.field->needs & kPsNeedCgroup) != 0;
    }
    return query;
}

std::vector<PsSortKey> parse_ps_sort(std::string_view spec, int code) {
    std::vector<PsSortKey> keys;
    for (std::size_t pos = 0; pos <= spec.size();) {
        const auto end = std::min(spec.find(',', pos), spec.size());
        std::string_view item = spec.substr(pos, end - pos);
        pos = end + 1;
        if (item.empty())
            throw Error(code, "Empty sort key in: " + std::string(spec));
        PsSortKey key;
        if (item.front() == '+' || item.front() == '-') {
            key.descending = item.front() == '-';
            item.remove_prefix(1);
        }
        auto column = column_named(item);
        if (!column)
            throw Error(code,
                        "Unknown sort key: " + std::string(item) + " (vzps --list shows them)");
        key.field = column->field;
        keys.push_back(key);
    }
    return keys;
}

ProcQuery ps_query(std::span<const PsSortKey> keys) {
    std::vector<PsColumn> columns;
    for (const auto &key : keys)
        columns.push_back({key.field, {}, std::nullopt});
    return ps_query(std::span<const PsColumn>(columns));
}

void sort_ps_rows(std::vector<const ProcEntry *> &rows, std::span<const PsSortKey> keys,
                  PsContext &ctx) {
    if (keys.empty())
        return;
    // Values computed once per row, not once per comparison.
    struct Keyed {
        const ProcEntry *entry;
        std::vector<PsValue> values;
    };
    std::vector<Keyed> keyed;
    keyed.reserve(rows.size());
    for (const ProcEntry *entry : rows) {
        Keyed k{entry, {}};
        for (const auto &key : keys)
            k.values.push_back(key.field->value(*entry, ctx));
        keyed.push_back(std::move(k));
    }
    std::ranges::stable_sort(keyed, [&](const Keyed &a, const Keyed &b) {
        for (std::size_t i = 0; i < keys.size(); ++i) {
            const int c = compare_values(a.values[i], b.values[i]);
            if (c != 0)
                return keys[i].descending ? c > 0 : c < 0;
        }
        return a.entry->pid() < b.entry->pid();
    });
    for (std::size_t i = 0; i < rows.size(); ++i)
        rows[i] = keyed[i].entry;
}

void print_ps_table(std::ostream &out, std::span<const PsColumn> columns,
                    std::span<const ProcEntry *const> rows, PsContext &ctx,
                    const PsRenderOptions &options) {
    const std::size_t n = columns.size();
    std::vector<std::string> cells;
    cells.reserve(rows.size() * n);
    std::vector<std::size_t> widths(n);
    for (std::size_t c = 0; c < n; ++c) {
        auto fixed = fixed_width(columns[c], c + 1 == n);
        widths[c] = fixed
                        ? *fixed
                        : std::max<std::size_t>(columns[c].field->width, columns[c].header.size());
    }
    for (const ProcEntry *entry : rows) {
        for (std::size_t c = 0; c < n; ++c) {
            cells.push_back(cell_text(columns[c], *entry, ctx));
            if (!fixed_width(columns[c], c + 1 == n))
                widths[c] = std::max(widths[c], cells.back().size());
        }
    }
    std::string line;
    const bool any_header =
        std::ranges::any_of(columns, [](const PsColumn &c) { return !c.header.empty(); });
    if (options.header && any_header) {
        for (std::size_t c = 0; c < n; ++c) {
            if (c)
                line += ' ';
            append_cell(line, columns[c].header, widths[c], columns[c].field->align, c + 1 == n);
        }
        write_line(out, line, options.max_width);
    }
    for (std::size_t r = 0; r < rows.size(); ++r) {
        line.clear();
        for (std::size_t c = 0; c < n; ++c) {
            if (c)
                line += ' ';
            std::string_view text = cells[r * n + c];
            if (auto fixed = fixed_width(columns[c], c + 1 == n); fixed && text.size() > *fixed)
                text = text.substr(0, *fixed);
            append_cell(line, text, widths[c], columns[c].field->align, c + 1 == n);
        }
        write_line(out, line, options.max_width);
    }
}

void print_ps_json(std::ostream &out, std::span<const PsColumn> columns,
                   std::span<const ProcEntry *const> rows, PsContext &ctx) {
    if (rows.empty()) {
        out << "[]\n";
        return;
    }
    out << '[';
    for (std::size_t r = 0; r < rows.size(); ++r) {
        out << (r ? ",\n  {" : "\n  {");
        for (std::size_t c = 0; c < columns.size(); ++c) {
            out << (c ? ",\n    " : "\n    ") << json_quote(columns[c].field->name) << ": ";
            write_json_value(out, columns[c].field->value(*rows[r], ctx));
        }
        out << "\n  }";
    }
    out << "\n]\n";
}

} // namespace vz
