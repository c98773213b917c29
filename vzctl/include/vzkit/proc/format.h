// vzps's columns: procps's format specifiers (pid, user, pcpu, rss, stat,
// start, cmd, ...) plus ctid and vpid, parsed from -o lists and --sort keys,
// rendered as aligned text or JSON. The fields are one table
// (proc/format_fields.cpp): adding a column is adding a row.
#pragma once

#include "vzkit/proc/table.h"

#include <sys/types.h>

#include <cstdint>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

namespace vz {

// uid/gid → name, looked up once each (getpwuid_r), the number when unknown.
class NameCache {
  public:
    const std::string &user(uid_t uid);
    const std::string &group(gid_t gid);

  private:
    std::unordered_map<uid_t, std::string> users_;
    std::unordered_map<gid_t, std::string> groups_;
};

struct PsContext {
    const ProcSystem &system;
    NameCache &names;
};

// A cell's value: numbers sort and print in JSON as numbers.
using PsValue = std::variant<std::int64_t, double, std::string>;

enum class PsAlign { Left, Right };

// What a field needs read beyond /proc/<pid>/stat and the CTID.
enum PsNeed : unsigned {
    kPsNeedStatus = 1,
    kPsNeedCmdline = 2,
    kPsNeedCgroup = 4,
};

struct PsField {
    std::string_view name;   // canonical name, also the JSON key
    std::string_view header; // procps's header
    PsAlign align;
    unsigned width; // procps's width; text wider than this widens the column
    unsigned needs; // PsNeed bits
    bool truncate;  // long text (args, cgroup): cut to width unless last
    PsValue (*value)(const ProcEntry &entry, PsContext &ctx);
    // Display text; nullptr means the value printed plainly.
    std::string (*text)(const ProcEntry &entry, PsContext &ctx);
};

// Every field, and every accepted name (aliases included) for --help.
std::span<const PsField> ps_fields();
std::vector<std::string> ps_field_names();

// One column of output: a field with the header and width asked for.
struct PsColumn {
    const PsField *field = nullptr;
    std::string header;
    std::optional<std::size_t> width; // "name:N"
};

// A procps format list: names separated by commas or blanks, each optionally
// "name:width"; "name=Header" takes the rest of the argument as the header
// (so "-o pid,args=COMMAND LINE" works). Throws Error(code) naming an unknown
// field or a bad width.
std::vector<PsColumn> parse_ps_format(std::string_view spec, int code);
// What the columns need from /proc.
ProcQuery ps_query(std::span<const PsColumn> columns);

struct PsSortKey {
    const PsField *field = nullptr;
    bool descending = false;
};
// "--sort" keys: "[+|-]name[,...]". Throws Error(code).
std::vector<PsSortKey> parse_ps_sort(std::string_view spec, int code);
ProcQuery ps_query(std::span<const PsSortKey> keys);
// Stable sort of rows by keys, ties by pid.
void sort_ps_rows(std::vector<const ProcEntry *> &rows, std::span<const PsSortKey> keys,
                  PsContext &ctx);

struct PsRenderOptions {
    bool header = true;
    std::size_t max_width = 0; // cut every line to this many characters; 0: no limit
};
// Aligned text: columns as wide as their widest cell (procps's width at
// least), one space apart; the last column is not padded. No header line when
// every header is empty, as procps does.
void print_ps_table(std::ostream &out, std::span<const PsColumn> columns,
                    std::span<const ProcEntry *const> rows, PsContext &ctx,
                    const PsRenderOptions &options);
// A JSON array with one object per process, keyed by the fields' names.
void print_ps_json(std::ostream &out, std::span<const PsColumn> columns,
                   std::span<const ProcEntry *const> rows, PsContext &ctx);

// Formatting helpers shared by the field table, exposed for tests.
std::string format_cputime(std::uint64_t seconds); // "HH:MM:SS", "D-HH:MM:SS"
std::string format_elapsed(std::uint64_t seconds); // "MM:SS", "HH:MM:SS", "D-HH:MM:SS"
std::string format_tty(unsigned tty_nr);           // "pts/3", "tty1", "ttyS0", "?"
std::string format_stat(const ProcEntry &entry);   // "Ss+", "R<l", ...
// procps's %CPU: lifetime CPU time over lifetime, in tenths of a percent.
std::uint64_t pcpu_permille(const ProcEntry &entry, const ProcSystem &system);
std::string format_permille(std::uint64_t permille); // "0.3", "99.9", "150"

} // namespace vz
