// chkpnt and restore: a running container's processes saved to a dump
// directory with CRIU and brought back from it, with OpenVZ vzctl 4's
// commands, stages and exit codes (docs/checkpoint.md).
#pragma once

#include "vzkit/base/ct_config.h"

#include <filesystem>
#include <optional>

namespace vz {

// DUMPDIR/Dump.<CTID> (DUMPDIR from the config, /vz/dump by default): where
// chkpnt saves and restore looks when no --dumpfile is given.
std::filesystem::path default_dump_path(const CtConfig &config);

struct ChkpntOptions {
    enum class Stage {
        kFull,    // freeze, dump, kill; the container is stopped after
        kSuspend, // --suspend: freeze only
        kDump,    // --dump: dump, the container keeps running (or frozen)
        kKill,    // --kill: kill a container that was dumped
        kResume,  // --resume: thaw a frozen container
    };
    Stage stage = Stage::kFull;
    std::optional<std::filesystem::path> dumpfile; // --dumpfile: the dump directory
};
// Throws Error(VZ_VE_NOT_RUNNING) for a stopped container and
// Error(VZ_CHKPNT_ERROR) for a failed checkpoint, after which the container
// runs as before (thawed unless it was suspended) and no dump is left under
// the dump's name (criu's log is kept in <dump>.fail).
void chkpnt_ct(const CtConfig &config, const ChkpntOptions &options);

struct RestoreOptions {
    enum class Stage {
        kFull,   // restore, run, and remove the dump
        kUndump, // --undump: restore frozen, keep the dump
        kKill,   // --kill: kill a container restored with --undump
        kResume, // --resume: thaw a container restored with --undump, remove the dump
    };
    Stage stage = Stage::kFull;
    std::optional<std::filesystem::path> dumpfile;
    bool skip_remount = false; // --skip-remount: keep a mounted VE_ROOT as it is
};
// Throws Error(VZ_VE_RUNNING) for a running container and
// Error(VZ_RESTORE_ERROR) for a missing, unsafe or unusable dump or a failed
// restore, after which nothing of the container runs, is registered or
// mounted by the restore, and the dump is as it was.
void restore_ct(const CtConfig &config, const RestoreOptions &options);

// vzctl resume: a suspended container is thawed; a stopped one with a dump at
// the default place is restored, as OpenVZ's `resume` (an alias of restore).
void resume_ct(const CtConfig &config);

} // namespace vz
