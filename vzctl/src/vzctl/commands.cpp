#include "commands.h"

#include "options.h"
#include "set_params.h"

#include "vzkit/ct/checkpoint.h"
#include "vzkit/ct/create.h"
#include "vzkit/ct/enter.h"
#include "vzkit/ct/start.h"
#include "vzkit/ct/stop.h"
#include "vzkit/ct/fs.h"
#include "vzkit/ct/set.h"
#include "vzkit/ct/snapshot.h"
#include "vzkit/ct/state.h"
#include "vzkit/ct/suspend.h"
#include "vzkit/storage/overlay.h"
#include "vzkit/storage/quota.h"
#include "vzkit/base/error.h"
#include "vzkit/base/log.h"
#include "vzkit/base/util.h"

#include <algorithm>
#include <array>
#include <iostream>

namespace vzctl {
namespace {

using vz::cli::Arg;

constexpr auto kStartOptions = std::to_array<vz::cli::Option>({
    {"wait", 0, Arg::kNone, "", "return once the container's init reached its runlevel"},
    {"force", 0, Arg::kNone, "", "start even if DISABLED=yes"},
    {"skip-remount", 0, Arg::kNone, "", "keep VE_ROOT as it is mounted"},
    {"skip-fsck", 0, Arg::kNone, "", "accepted for OpenVZ's scripts (ploop's fsck)"},
});

constexpr auto kStopOptions = std::to_array<vz::cli::Option>({
    {"fast", 0, Arg::kNone, "", "kill at once instead of a clean halt"},
    {"skip-umount", 0, Arg::kNone, "", "leave VE_ROOT mounted"},
});

// restart takes both: start's options, then stop's.
template <std::size_t A, std::size_t B>
constexpr std::array<vz::cli::Option, A + B> concat(const std::array<vz::cli::Option, A> &a,
                                                    const std::array<vz::cli::Option, B> &b) {
    std::array<vz::cli::Option, A + B> out{};
    std::ranges::copy(a, out.begin());
    std::ranges::copy(b, out.begin() + A);
    return out;
}

constexpr auto kRestartOptions = concat(kStartOptions, kStopOptions);

constexpr auto kCreateOptions = std::to_array<vz::cli::Option>({
    {"ostemplate", 0, Arg::kRequired, "<name>", "OS template from the template cache"},
    {"config", 0, Arg::kRequired, "<name>", "the sample ve-<name>.conf-sample"},
    {"private", 0, Arg::kRequired, "<path>", "VE_PRIVATE ($VEID: the CTID)"},
    {"root", 0, Arg::kRequired, "<path>", "VE_ROOT ($VEID: the CTID)"},
    {"ipadd", 0, Arg::kRequired, "<addr>", "an IP address (repeatable)"},
    {"hostname", 0, Arg::kRequired, "<name>", "host name"},
    {"name", 0, Arg::kRequired, "<name>", "container name"},
    {"description", 0, Arg::kRequired, "<text>", "free text"},
    {"layout", 0, Arg::kRequired, "simfs|overlay|lvm", "storage layout (VE_LAYOUT)"},
});
constexpr std::array<std::string_view, 1> kCreateRepeatable = {"ipadd"};

// vzctl 4's snapshot commands (--uuid is --id's old name).
constexpr auto kSnapshotOptions = std::to_array<vz::cli::Option>({
    {"id", 0, Arg::kRequired, "<uuid>", "the snapshot"},
    {"uuid", 0, Arg::kRequired, "<uuid>", "the same (older name)"},
    {"name", 0, Arg::kRequired, "<name>", "snapshot name"},
    {"description", 0, Arg::kRequired, "<text>", "snapshot description"},
    {"skip-suspend", 0, Arg::kNone, "", "do not freeze its processes (the file system still is)"},
    {"skip-config", 0, Arg::kNone, "", "accepted for OpenVZ's scripts"},
});
constexpr auto kSnapshotListOptions = std::to_array<vz::cli::Option>({
    {"no-header", 'H', Arg::kNone, "", "no header line"},
    {"output", 'o', Arg::kRequired, "<field>[,<field>...]", "columns"},
    {"json", 'j', Arg::kNone, "", "JSON output"},
    {"id", 0, Arg::kRequired, "<uuid>", "the snapshot"},
    {"uuid", 0, Arg::kRequired, "<uuid>", "the same (older name)"},
});
constexpr auto kSnapshotSwitchOptions = std::to_array<vz::cli::Option>({
    {"id", 0, Arg::kRequired, "<uuid>", "the snapshot"},
    {"uuid", 0, Arg::kRequired, "<uuid>", "the same (older name)"},
    {"skip-resume", 0, Arg::kNone, "", "leave the container stopped after the switch"},
    {"must-resume", 0, Arg::kNone, "", "start it again (the default)"},
    {"skip-config", 0, Arg::kNone, "", "accepted for OpenVZ's scripts"},
});
constexpr auto kSnapshotIdOptions = std::to_array<vz::cli::Option>({
    {"id", 0, Arg::kRequired, "<uuid>", "the snapshot"},
    {"uuid", 0, Arg::kRequired, "<uuid>", "the same (older name)"},
});
constexpr auto kSnapshotMountOptions = std::to_array<vz::cli::Option>({
    {"id", 0, Arg::kRequired, "<uuid>", "the snapshot"},
    {"uuid", 0, Arg::kRequired, "<uuid>", "the same (older name)"},
    {"target", 0, Arg::kRequired, "<dir>", "where to mount it"},
});
// enter's one option; its value is the rest of the command line, which
// cmd_enter takes as it is (this table only describes it).
constexpr auto kEnterOptions = std::to_array<vz::cli::Option>({
    {"exec", 0, Arg::kRequired, "<command> [<arg> ...]", "run this instead of a login shell"},
});
constexpr auto kConvertOptions = std::to_array<vz::cli::Option>({
    {"layout", 0, Arg::kRequired, "lvm", "the layout to convert to"},
});

constexpr auto kVolumeOptions = std::to_array<vz::cli::Option>({
    {"create", 0, Arg::kRequired, "<bytes>", "make an empty volume of that size first (vzmigrate)"},
    {"used", 0, Arg::kRequired, "<bytes>", "with --create: what the thin pool must have free"},
});

// chkpnt and restore (vzctl 4's spellings): one stage at most, as a table
// from option to stage; --skip_arpdetect is accepted and has nothing to do.
constexpr auto kChkpntOptions = std::to_array<vz::cli::Option>({
    {"dumpfile", 0, Arg::kRequired, "<dir>", "the dump's directory (default under DUMPDIR)"},
    {"suspend", 0, Arg::kNone, "", "only freeze the container"},
    {"dump", 0, Arg::kNone, "", "only dump a frozen container"},
    {"kill", 0, Arg::kNone, "", "only kill a dumped or restored container"},
    {"resume", 0, Arg::kNone, "", "only let it run again"},
    {"skip_arpdetect", 0, Arg::kNone, "", "accepted for OpenVZ's scripts"},
});
constexpr auto kRestoreOptions = std::to_array<vz::cli::Option>({
    {"dumpfile", 0, Arg::kRequired, "<dir>", "the dump's directory (default under DUMPDIR)"},
    {"undump", 0, Arg::kNone, "", "only restore the processes, stopped"},
    {"kill", 0, Arg::kNone, "", "only kill a dumped or restored container"},
    {"resume", 0, Arg::kNone, "", "only let it run again"},
    {"skip_arpdetect", 0, Arg::kNone, "", "accepted for OpenVZ's scripts"},
    {"skip-remount", 0, Arg::kNone, "", "keep VE_ROOT as it is mounted"},
    {"skip-fsck", 0, Arg::kNone, "", "accepted for OpenVZ's scripts (ploop's fsck)"},
});
template <typename Stage> struct StageOption {
    std::string_view option;
    Stage stage;
};
constexpr auto kChkpntStages = std::to_array<StageOption<vz::ChkpntOptions::Stage>>({
    {"suspend", vz::ChkpntOptions::Stage::kSuspend},
    {"dump", vz::ChkpntOptions::Stage::kDump},
    {"kill", vz::ChkpntOptions::Stage::kKill},
    {"resume", vz::ChkpntOptions::Stage::kResume},
});
constexpr auto kRestoreStages = std::to_array<StageOption<vz::RestoreOptions::Stage>>({
    {"undump", vz::RestoreOptions::Stage::kUndump},
    {"kill", vz::RestoreOptions::Stage::kKill},
    {"resume", vz::RestoreOptions::Stage::kResume},
});

template <typename Stage, std::size_t N>
Stage stage_from(const CommandOptions &o, const std::array<StageOption<Stage>, N> &stages,
                 Stage full) {
    Stage stage = full;
    int given = 0;
    for (const auto &s : stages) {
        if (o.has(s.option)) {
            stage = s.stage;
            ++given;
        }
    }
    if (given > 1)
        throw vz::Error(vz::VZ_INVALID_PARAMETER_SYNTAX,
                        "Invalid syntax: only one sub command may be used");
    return stage;
}

vz::StartOptions start_from(const CommandOptions &o) {
    vz::StartOptions start;
    start.wait = o.has("wait");
    start.force = o.has("force");
    start.skip_remount = o.has("skip-remount");
    return start;
}

vz::StopOptions stop_from(const CommandOptions &o) {
    vz::StopOptions stop;
    stop.fast = o.has("fast");
    stop.skip_umount = o.has("skip-umount");
    return stop;
}

void no_arguments(const std::vector<std::string> &args) {
    if (!args.empty())
        throw vz::Error(vz::VZ_INVALID_PARAMETER_SYNTAX, "Unexpected argument " + args.front());
}

int cmd_create(vz::CtConfig &config, const std::vector<std::string> &args) {
    const CommandOptions o(args, kCreateOptions, kCreateRepeatable);
    vz::CreateOptions create;
    create.ostemplate = o.value("ostemplate");
    create.config = o.value("config");
    create.private_path = o.value("private");
    create.root_path = o.value("root");
    create.hostname = o.value("hostname");
    create.name = o.value("name");
    create.description = o.value("description");
    create.layout = o.value("layout");
    create.ipadd = o.values("ipadd");
    vz::create_ct(config, create);
    return 0;
}

// destroy, mount, umount: no arguments, one library call.
template <auto Action> int cmd_plain(vz::CtConfig &config, const std::vector<std::string> &args) {
    no_arguments(args);
    Action(config);
    return 0;
}

int cmd_start(vz::CtConfig &config, const std::vector<std::string> &args) {
    return vz::start_ct(config, start_from(CommandOptions(args, kStartOptions)));
}

int cmd_stop(vz::CtConfig &config, const std::vector<std::string> &args) {
    vz::stop_ct(config, stop_from(CommandOptions(args, kStopOptions)));
    return 0;
}

int cmd_restart(vz::CtConfig &config, const std::vector<std::string> &args) {
    const CommandOptions o(args, kRestartOptions);
    vz::log_info("Restarting container");
    if (vz::is_running(config.ctid()))
        vz::stop_ct(config, stop_from(o));
    return vz::start_ct(config, start_from(o));
}

int cmd_status(vz::CtConfig &config, const std::vector<std::string> &args) {
    no_arguments(args);
    std::cout << vz::format_status_line(config.ctid(), vz::query_status(config)) << "\n";
    return 0;
}

int cmd_set(vz::CtConfig &config, const std::vector<std::string> &args) {
    auto request = parse_set_options(args, config);
    vz::set_ct(config, request.changes, request.flags);
    return 0;
}

vz::ExecRequest exec_request(const std::vector<std::string> &args) {
    if (args.empty())
        throw vz::Error(vz::VZ_INVALID_PARAMETER_SYNTAX, "No command given");
    vz::ExecRequest request;
    if (!(args.size() == 1 && args[0] == "-"))
        request.words = args;
    return request;
}

int cmd_exec(vz::CtConfig &config, const std::vector<std::string> &args) {
    // OpenVZ's exec folds any failure of the command into 8.
    return vz::exec_in_ct(config, exec_request(args)) == 0 ? 0 : vz::VZ_COMMAND_EXECUTION_ERROR;
}

int cmd_exec2(vz::CtConfig &config, const std::vector<std::string> &args) {
    return vz::exec_in_ct(config, exec_request(args));
}

// exec3: the command itself, no shell, its exit code (OpenVZ's exec3).
int cmd_exec3(vz::CtConfig &config, const std::vector<std::string> &args) {
    if (args.empty())
        throw vz::Error(vz::VZ_INVALID_PARAMETER_SYNTAX, "No command given");
    vz::ExecRequest request;
    request.words = args;
    request.direct = true;
    return vz::exec_in_ct(config, request);
}

int cmd_enter(vz::CtConfig &config, const std::vector<std::string> &args) {
    std::vector<std::string> words;
    if (!args.empty()) {
        if (args[0] != "--exec")
            throw vz::Error(vz::VZ_INVALID_PARAMETER_SYNTAX, "Invalid option " + args[0]);
        words.assign(args.begin() + 1, args.end());
    }
    return vz::enter_ct(config, words);
}

// console [ttynum]: tty1, the console, is the only one a container has.
int cmd_console(vz::CtConfig &config, const std::vector<std::string> &args) {
    if (args.size() > 1 || (args.size() == 1 && args[0] != "1"))
        throw vz::Error(vz::VZ_INVALID_PARAMETER_SYNTAX,
                        "Only tty1, the container's /dev/console, exists");
    return vz::console_ct(config);
}

std::optional<std::string> snapshot_id(const CommandOptions &o) {
    return o.has("id") ? o.value("id") : o.value("uuid");
}

std::string required_id(const CommandOptions &o) {
    const auto id = snapshot_id(o);
    if (!id)
        throw vz::Error(vz::VZ_INVALID_PARAMETER_SYNTAX, "Snapshot id is not specified (--id)");
    return *id;
}

int cmd_snapshot(vz::CtConfig &config, const std::vector<std::string> &args) {
    const CommandOptions o(args, kSnapshotOptions);
    vz::SnapshotOptions snap;
    snap.id = snapshot_id(o);
    snap.name = o.value("name");
    snap.description = o.value("description");
    snap.skip_suspend = o.has("skip-suspend");
    vz::snapshot_ct(config, snap);
    return 0;
}

int cmd_snapshot_list(vz::CtConfig &config, const std::vector<std::string> &args) {
    const CommandOptions o(args, kSnapshotListOptions);
    vz::SnapshotListOptions list;
    list.no_header = o.has("no-header");
    list.json = o.has("json");
    list.fields = o.value("output");
    list.id = snapshot_id(o);
    vz::snapshot_list_ct(config, list, std::cout);
    return 0;
}

int cmd_snapshot_switch(vz::CtConfig &config, const std::vector<std::string> &args) {
    const CommandOptions o(args, kSnapshotSwitchOptions);
    if (o.has("skip-resume") && o.has("must-resume"))
        throw vz::Error(vz::VZ_INVALID_PARAMETER_SYNTAX,
                        "--skip-resume and --must-resume cannot be used together");
    vz::snapshot_switch_ct(config, required_id(o), o.has("skip-resume"));
    return 0;
}

int cmd_snapshot_delete(vz::CtConfig &config, const std::vector<std::string> &args) {
    vz::snapshot_delete_ct(config, required_id(CommandOptions(args, kSnapshotIdOptions)));
    return 0;
}

int cmd_snapshot_mount(vz::CtConfig &config, const std::vector<std::string> &args) {
    const CommandOptions o(args, kSnapshotMountOptions);
    const auto target = o.value("target");
    if (!target)
        throw vz::Error(vz::VZ_INVALID_PARAMETER_SYNTAX, "Target is not specified (--target)");
    vz::snapshot_mount_ct(config, required_id(o), *target);
    return 0;
}

int cmd_snapshot_umount(vz::CtConfig &config, const std::vector<std::string> &args) {
    vz::snapshot_umount_ct(config, required_id(CommandOptions(args, kSnapshotIdOptions)));
    return 0;
}

int cmd_chkpnt(vz::CtConfig &config, const std::vector<std::string> &args) {
    const CommandOptions o(args, kChkpntOptions);
    vz::ChkpntOptions chkpnt;
    chkpnt.stage = stage_from(o, kChkpntStages, vz::ChkpntOptions::Stage::kFull);
    if (auto dumpfile = o.value("dumpfile"))
        chkpnt.dumpfile = *dumpfile;
    vz::chkpnt_ct(config, chkpnt);
    return 0;
}

int cmd_restore(vz::CtConfig &config, const std::vector<std::string> &args) {
    const CommandOptions o(args, kRestoreOptions);
    vz::RestoreOptions restore;
    restore.stage = stage_from(o, kRestoreStages, vz::RestoreOptions::Stage::kFull);
    if (auto dumpfile = o.value("dumpfile"))
        restore.dumpfile = *dumpfile;
    restore.skip_remount = o.has("skip-remount");
    vz::restore_ct(config, restore);
    return 0;
}

void suspend(const vz::CtConfig &config) {
    vz::suspend_ct(config, vz::VZ_CHKPNT_ERROR);
}

int cmd_convert(vz::CtConfig &config, const std::vector<std::string> &args) {
    const CommandOptions o(args, kConvertOptions);
    vz::convert_ct(config, o.value("layout").value_or("lvm"));
    return 0;
}

std::uint64_t bytes_option(const CommandOptions &o, const char *name) {
    const auto text = o.value(name).value_or("0");
    const auto bytes = vz::parse_number<std::uint64_t>(text);
    if (!bytes)
        throw vz::Error(vz::VZ_INVALID_PARAMETER_VALUE,
                        "Bad --" + std::string(name) + " " + text + ": a number of bytes");
    return *bytes;
}

int cmd_volume(vz::CtConfig &config, const std::vector<std::string> &args) {
    const CommandOptions o(args, kVolumeOptions);
    vz::VolumeOptions volume;
    if (o.has("create"))
        volume.create_size = bytes_option(o, "create");
    volume.used = bytes_option(o, "used");
    vz::volume_ct(config, volume, std::cout);
    return 0;
}

int cmd_runscript(vz::CtConfig &config, const std::vector<std::string> &args) {
    if (args.size() != 1)
        throw vz::Error(vz::VZ_INVALID_PARAMETER_SYNTAX, "Usage: vzctl runscript <ctid> <script>");
    return vz::run_script(config, args[0]);
}

// template list | gc: the overlay layout's shared bases (docs/storage.md).
int cmd_template(vz::CtConfig &config, const std::vector<std::string> &args) {
    const std::string what = args.empty() ? "" : args[0];
    if (args.size() != 1 || (what != "list" && what != "gc"))
        throw vz::Error(vz::VZ_INVALID_PARAMETER_SYNTAX, "Usage: vzctl template list | gc");
    if (what == "gc") {
        const auto removed = vz::overlay_gc(config);
        for (const auto &id : removed)
            std::cout << "Removed template base " << id << "\n";
        if (removed.empty())
            vz::log_info("No unused template base");
        return 0;
    }
    for (const auto &base : vz::overlay_bases(config)) {
        std::string users;
        for (const auto ctid : base.users)
            users += (users.empty() ? "" : ",") + std::to_string(ctid);
        std::cout << base.id << " " << (base.current ? "current" : "stale") << " "
                  << (users.empty() ? "-" : users) << (base.mounted ? " mounted" : "") << "\n";
    }
    return 0;
}

constexpr auto kCommands = std::to_array<Command>({
    {"create", cmd_create, true, false,
     "create <ctid> [--ostemplate <name>] [--config <name>] [--private <path>]\n"
     "   [--root <path>] [--ipadd <addr>] [--hostname <name>] [--name <name>]\n"
     "   [--description <text>] [--layout simfs|overlay|lvm]",
     kCreateOptions},
    {"destroy", cmd_plain<vz::destroy_ct>, true, true, "destroy | delete <ctid>"},
    {"delete", cmd_plain<vz::destroy_ct>, true, true, ""},
    {"start", cmd_start, true, true, "start <ctid> [--wait] [--force] [--skip-remount]",
     kStartOptions},
    {"stop", cmd_stop, true, true, "stop <ctid> [--fast] [--skip-umount]", kStopOptions},
    {"restart", cmd_restart, true, true, "restart <ctid> [--wait] [--force] [--fast]",
     kRestartOptions},
    {"status", cmd_status, false, false, "status <ctid>"},
    {"mount", cmd_plain<vz::mount_ct>, true, true, "mount <ctid>"},
    {"umount", cmd_plain<vz::umount_stopped_ct>, true, true, "umount <ctid>"},
    {"quotaon", cmd_plain<vz::quotaon_ct>, true, true, "quotaon | quotaoff | quotainit <ctid>"},
    {"quotaoff", cmd_plain<vz::quotaoff_ct>, true, true, ""},
    {"quotainit", cmd_plain<vz::quotainit_ct>, true, true, ""},
    // Its parameters follow the commands, generated from the parameter table.
    {"set", cmd_set, true, false, ""},
    {"exec", cmd_exec, false, true, "exec | exec2 <ctid> <command> [arg ...] | -"},
    {"exec2", cmd_exec2, false, true, ""},
    {"exec3", cmd_exec3, false, true, "exec3 <ctid> <program> [arg ...] (no shell)"},
    {"enter", cmd_enter, false, true, "enter <ctid> [--exec <command> [arg ...]]", kEnterOptions},
    {"runscript", cmd_runscript, true, true, "runscript <ctid> <script>"},
    {"console", cmd_console, false, true, "console <ctid> [1] (Esc . detaches)"},
    {"template", cmd_template, false, false, "template list | gc   (overlay bases; no <ctid>)"},
    {"snapshot", cmd_snapshot, true, true,
     "snapshot <ctid> [--id <uuid>] [--name <name>] [--description <desc>] [--skip-suspend]",
     kSnapshotOptions},
    {"snapshot-list", cmd_snapshot_list, false, true,
     "snapshot-list <ctid> [-H] [-o field[,field...]] [-j] [--id <uuid>]", kSnapshotListOptions},
    {"snapshot-switch", cmd_snapshot_switch, true, true,
     "snapshot-switch <ctid> --id <uuid> [--skip-resume]", kSnapshotSwitchOptions},
    {"snapshot-delete", cmd_snapshot_delete, true, true, "snapshot-delete <ctid> --id <uuid>",
     kSnapshotIdOptions},
    {"snapshot-mount", cmd_snapshot_mount, true, true,
     "snapshot-mount <ctid> --id <uuid> --target <dir>", kSnapshotMountOptions},
    {"snapshot-umount", cmd_snapshot_umount, true, true, "snapshot-umount <ctid> --id <uuid>",
     kSnapshotIdOptions},
    {"chkpnt", cmd_chkpnt, true, true,
     "chkpnt <ctid> [--dumpfile <dir>] [--suspend | --dump | --kill | --resume]", kChkpntOptions},
    {"restore", cmd_restore, true, true,
     "restore <ctid> [--dumpfile <dir>] [--undump | --kill | --resume] [--skip-remount]",
     kRestoreOptions},
    {"suspend", cmd_plain<suspend>, true, true,
     "suspend | resume <ctid>   (freeze / thaw; resume restores a stopped CT's dump)"},
    {"resume", cmd_plain<vz::resume_ct>, true, true, ""},
    {"compact", cmd_plain<vz::compact_ct>, true, true, "compact <ctid>"},
    {"convert", cmd_convert, true, true, "convert <ctid> --layout lvm", kConvertOptions},
    {"volume", cmd_volume, true, true,
     "volume <ctid> [--create <bytes> [--used <bytes>]]   (lvm: the volume's device, for vzmigrate)",
     kVolumeOptions},
});

} // namespace

std::span<const Command> commands() {
    return kCommands;
}

} // namespace vzctl
