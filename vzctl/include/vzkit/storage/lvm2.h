// LVM2 through its embeddable interface, liblvm2cmd (lvm2cmd.h): one handle
// per process (lvm2_init ... lvm2_exit), each command a command line run by
// lvm2_run, and everything LVM says caught by its log callback: errors become
// the one line of an Error, reports (--reportformat json) the text a caller
// parses. Nothing here parses `lvs` output meant for people.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vz::lvm {

// The words of one LVM command ("lvcreate", "-n", "ct101", ...). lvm2_run
// splits its command line at white space, so a word holding any is refused
// (Error(VZ_INVALID_PARAMETER_VALUE)).
using Command = std::vector<std::string>;

struct Result {
    bool ok = false;
    std::string output; // what the command printed (reports), line by line
    std::string error;  // LVM's last error line, "" when it gave none
};

// Runs one command on the process's handle (made on first use, released at
// exit). Never throws for the command's own failure: see Result.
Result run(const Command &command);
// Runs it and throws Error(code, what + ": " + LVM's error) when it fails.
std::string run_or_throw(const Command &command, int code, std::string_view what);

// One logical volume as LVM reports it.
struct Volume {
    std::string name;
    std::string attr;   // lv_attr: [0] 't' thin pool, 'V' thin volume; [4] 'a' active
    std::string pool;   // pool_lv of a thin volume
    std::string origin; // a snapshot's origin
    std::uint64_t size = 0; // bytes
    double data_percent = 0; // a thin pool's or thin volume's use of its size
    bool active() const { return attr.size() > 4 && attr[4] == 'a'; }
    bool thin_pool() const { return !attr.empty() && attr[0] == 't'; }
    // The bytes of the pool its data takes (a thin volume's or pool's).
    std::uint64_t used() const {
        return static_cast<std::uint64_t>(static_cast<double>(size) * data_percent / 100.0);
    }
};

// Every volume of the volume group, or nullopt when there is no such group
// (error names why). A report in JSON, read from the log callback.
std::optional<std::vector<Volume>> volumes(const std::string &vg, std::string *error = nullptr);
// Parses an `lvs --reportformat json` report (what volumes() reads); exposed
// for the unit test. Throws Error(VZ_SYSTEM_ERROR) on a malformed report.
std::vector<Volume> parse_lvs_report(std::string_view json);

// A name LVM accepts for a VG or LV: [A-Za-z0-9+_.-], not starting with '-',
// not "." or "..", at most 127 characters.
bool valid_name(std::string_view name);

} // namespace vz::lvm
