// chkpnt and restore over criu (ct/criu.h): the container's side — its
// state, cgroup, module registration, network and mount — around criu's dump
// and restore of its processes. docs/checkpoint.md has the flow and the traps.
#include "vzkit/ct/checkpoint.h"

#include "ct/criu.h"
#include "vzkit/backend/backend.h"
#include "vzkit/base/error.h"
#include "vzkit/base/log.h"
#include "vzkit/base/util.h"
#include "vzkit/cgroup/cgroup.h"
#include "vzkit/cgroup/freeze.h"
#include "vzkit/ct/features.h"
#include "vzkit/ct/fs.h"
#include "vzkit/ct/state.h"
#include "vzkit/ct/suspend.h"
#include "vzkit/ct/views.h"
#include "vzkit/net/lifecycle.h"

#include <signal.h>
#include <sys/stat.h>

#include <memory>

namespace fs = std::filesystem;

namespace vz {
namespace {

using ChkStage = ChkpntOptions::Stage;
using RstStage = RestoreOptions::Stage;

fs::path dump_path(const CtConfig &config, const std::optional<fs::path> &dumpfile) {
    return dumpfile ? fs::absolute(*dumpfile) : default_dump_path(config);
}

bool below(const fs::path &path, const fs::path &dir) {
    std::error_code ec;
    const fs::path p = fs::weakly_canonical(path, ec);
    const fs::path d = fs::weakly_canonical(dir, ec);
    const auto [end, _] = std::mismatch(d.begin(), d.end(), p.begin(), p.end());
    return end == d.end();
}

// Images the container could write would let its root choose what criu
// restores as the host's root: the dump lives outside the container's trees.
void check_outside_ct(const CtConfig &config, const fs::path &dir, int code) {
    for (const fs::path &tree : {config.ve_root(), config.ve_private()})
        if (below(dir, tree) || below(tree, dir))
            throw Error(code, "Dump directory " + dir.string() + " overlaps the container's " +
                                  tree.string() + "; choose one outside it");
}

void make_dump_dir(const CtConfig &config, const fs::path &dir) {
    check_outside_ct(config, dir, VZ_CHKPNT_ERROR);
    std::error_code ec;
    fs::create_directories(dir.parent_path(), ec);
    if (mkdir(dir.c_str(), 0700) != 0) {
        if (errno == EEXIST)
            throw Error(VZ_CHKPNT_ERROR, "Dump directory " + dir.string() +
                                             " already exists: restore from it or remove it");
        throw_errno(VZ_CHKPNT_ERROR, "Unable to create the dump directory " + dir.string());
    }
}

// A dump restore may read: a real directory (not a symlink) of root's that
// nobody else may write, outside the container, with criu's inventory.
void check_dump_dir(const CtConfig &config, const fs::path &dir) {
    struct stat st {};
    if (lstat(dir.c_str(), &st) != 0)
        throw_errno(VZ_RESTORE_ERROR, "Dump directory " + dir.string() + " not found");
    if (!S_ISDIR(st.st_mode))
        throw Error(VZ_RESTORE_ERROR, "Dump " + dir.string() + " is not a directory");
    if (st.st_uid != 0 || (st.st_mode & 022) != 0)
        throw Error(VZ_RESTORE_ERROR, "Dump directory " + dir.string() +
                                          " must belong to root and be writable by root only");
    check_outside_ct(config, dir, VZ_RESTORE_ERROR);
    struct stat inv {};
    if (lstat((dir / "inventory.img").c_str(), &inv) != 0 || !S_ISREG(inv.st_mode))
        throw Error(VZ_RESTORE_ERROR, "Dump directory " + dir.string() + " holds no criu dump");
}

// A failed dump's images go; its log stays in <dump>.fail, as in OpenVZ's vps-cpt.
void keep_failed_dump(const fs::path &dir) {
    const fs::path fail = dir.string() + ".fail";
    std::error_code ec;
    fs::remove_all(fail, ec);
    fs::rename(dir, fail, ec);
    if (ec)
        fs::remove_all(dir, ec);
}

// After the container's processes are gone (killed by criu or by --kill):
// what stop does after its kill.
void finish_stopped(const CtConfig &config, int code) {
    const Cgroup cgroup(config.ctid());
    if (!cgroup.kill_all())
        throw Error(code, "Unable to stop container: tasks left in its cgroup");
    backend().detach(config.ctid());
    cgroup.destroy();
    net::stop_network(config);
    if (is_mounted(config))
        umount_ct(config);
}

std::vector<std::string> common_criu_flags() {
    return {"--tcp-established", "--file-locks", "--manage-cgroups", "--network-lock", "nftables"};
}

// The beancounter's figures at the checkpoint, beside criu's images, in
// /proc/bc/<id>/resources' format: the restore carries maxheld and failcnt
// over (Backend::continue_counters). Nothing without a beancounter.
constexpr const char *kCountersFile = "beancounters";

void save_counters(const CtConfig &config, const fs::path &dir) {
    const auto bc = backend().read_counters(config.ctid());
    if (!bc)
        return;
    std::string text;
    for (const auto &row : bc->rows)
        text += row.resource + " " + std::to_string(row.held) + " " + std::to_string(row.maxheld) +
                " " + std::to_string(row.barrier) + " " + std::to_string(row.limit) + " " +
                std::to_string(row.failcnt) + "\n";
    write_file_atomic(dir / kCountersFile, text, 0600);
}

void continue_counters(const CtConfig &config, const fs::path &dir) {
    const auto text = read_file(dir / kCountersFile);
    if (!text)
        return;
    if (!backend().continue_counters(config.ctid(), ubc::parse_bc_resources(*text, config.ctid())))
        log_warning("maxheld and failcnt start again from 0: this kernel module cannot carry "
                    "them over a restore");
}

void dump(const CtConfig &config, const fs::path &dir, bool leave_running) {
    const auto init = find_init_pid(config.ctid());
    if (!init)
        throw Error(VZ_VE_NOT_RUNNING, "Unable to setup checkpointing: container is not running");
    detail::find_criu(VZ_CHKPNT_ERROR); // before anything is created
    const Cgroup cgroup(config.ctid());
    const bool was_frozen = is_frozen(cgroup);
    make_dump_dir(config, dir);
    std::vector<std::string> args = {"dump",
                                     "--tree",
                                     std::to_string(*init),
                                     "--root",
                                     fs::absolute(config.ve_root()).string(),
                                     "--freeze-cgroup",
                                     freezer_dir(cgroup).string()};
    for (auto &flag : common_criu_flags())
        args.push_back(std::move(flag));
    if (leave_running)
        args.push_back("--leave-running");
    log_info("\tdump...");
    try {
        detail::run_criu(args, dir, "dump.log", VZ_CHKPNT_ERROR, "Checkpointing failed");
    } catch (const Error &) {
        // criu puts the freezer back as it found it; make sure of it.
        if (!was_frozen && is_frozen(cgroup)) {
            try {
                set_frozen(cgroup, false, VZ_CHKPNT_ERROR);
            } catch (const Error &e) {
                log_warning(e.what());
            }
        }
        keep_failed_dump(dir);
        log_error("The dump's log was saved in " + dir.string() + ".fail");
        throw;
    }
    // Read while the module still has the container (the kill's clean-up
    // unregisters it); the dump stands without them.
    try {
        save_counters(config, dir);
    } catch (const Error &e) {
        log_warning(std::string(e.what()) + ": maxheld and failcnt will start again at restore");
    }
}

void kill_dumped(const CtConfig &config, int code) {
    if (!is_running(config.ctid()))
        throw Error(VZ_VE_NOT_RUNNING, "Unable to kill: container is not running");
    log_info("\tkill...");
    finish_stopped(config, code);
}

// Everything restore set up, undone in reverse unless committed.
class RestoreRollback {
  public:
    explicit RestoreRollback(const CtConfig &config) : config_(config) {}
    RestoreRollback(const RestoreRollback &) = delete;
    RestoreRollback &operator=(const RestoreRollback &) = delete;
    ~RestoreRollback() {
        if (committed_)
            return;
        // Each step on its own: one that fails does not keep the others.
        if (cgroup_)
            warn_on_error("Cleanup of the processes and the cgroup after a failed restore", [this] {
                cgroup_->kill_all();
                cgroup_->destroy();
            });
        if (registered_)
            warn_on_error("Cleanup of the module registration after a failed restore",
                          [this] { backend().detach(config_.ctid()); });
        if (cgroup_)
            warn_on_error("Cleanup of the network after a failed restore",
                          [this] { net::stop_network(config_); });
        if (mounted_)
            warn_on_error("Cleanup of the mount after a failed restore", [this] {
                if (is_mounted(config_))
                    umount_ct(config_);
            });
    }
    void mounted() { mounted_ = true; }
    void cgroup(const Cgroup *cg) { cgroup_ = cg; }
    void registered() { registered_ = true; }
    void commit() { committed_ = true; }

  private:
    const CtConfig &config_;
    bool mounted_ = false;
    const Cgroup *cgroup_ = nullptr;
    bool registered_ = false;
    bool committed_ = false;
};

void undump(const CtConfig &config, const RestoreOptions &options, const fs::path &dir) {
    if (is_running(config.ctid()))
        throw Error(VZ_VE_RUNNING, "Unable to perform restore: container already running");
    check_dump_dir(config, dir);
    detail::find_criu(VZ_RESTORE_ERROR);
    std::error_code ec;
    if (!fs::is_directory(config.ve_private(), ec))
        throw Error(VZ_FS_NOPRVT,
                    "Container private area " + config.ve_private().string() + " does not exist");
    log_info("Restoring container ...");
    RestoreRollback rollback(config);
    if (is_mounted(config) && !options.skip_remount)
        umount_ct(config);
    if (!is_mounted(config)) {
        mount_ct(config);
        rollback.mounted();
    }
    net::sweep_stale_network(config);

    // The group as start makes it, limits and device rules included, before
    // any restored process exists; criu (--manage-cgroups, soft) moves the
    // processes in and leaves a group it did not create as it is.
    Cgroup cgroup(config.ctid());
    cgroup.create(feature_enabled(config, "nesting"));
    rollback.cgroup(&cgroup);
    cgroup.apply(ct_cgroup_limits(config));
    cgroup.set_devices(
        device_rules_from_config(config, parse_devnodes(devnodes_with_features(config))));

    const bool stay_frozen = options.stage == RstStage::kUndump;
    std::vector<std::string> args = {"restore", "--root", fs::absolute(config.ve_root()).string(),
                                     "--restore-detached"};
    for (auto &flag : common_criu_flags())
        args.push_back(std::move(flag));
    for (const auto &pair : net::criu_veth_pairs(config)) {
        args.push_back("--veth-pair");
        args.push_back(pair);
    }
    if (stay_frozen)
        args.push_back("--leave-stopped");
    log_info("\tundump...");
    detail::run_criu(args, dir, "restore.log", VZ_RESTORE_ERROR, "Restoring failed");

    const auto init = find_init_pid(config.ctid());
    if (!init)
        throw Error(VZ_RESTORE_ERROR, "Restoring failed: no init in the restored container");
    backend().attach(config, *init, cgroup);
    rollback.registered();
    continue_counters(config, dir);
    auto network = net::restore_network(config, *init, VZ_RESTORE_ERROR);
    detail::drop_criu_tables(*init, VZ_RESTORE_ERROR);
    if (stay_frozen) {
        // criu left every task stopped; the freezer holds them instead, so
        // that --resume and --kill are the freezer's, as for a suspended one.
        set_frozen(cgroup, true, VZ_RESTORE_ERROR);
        for (pid_t pid : cgroup.pids())
            kill(pid, SIGCONT);
    }
    network->commit();
    rollback.commit();
}

void remove_dump(const fs::path &dir) {
    std::error_code ec;
    fs::remove_all(dir, ec);
    if (ec)
        log_warning("Unable to remove the dump " + dir.string() + ": " + ec.message());
}

} // namespace

fs::path default_dump_path(const CtConfig &config) {
    return fs::path(config.get_or("DUMPDIR", "/vz/dump")) /
           ("Dump." + std::to_string(config.ctid()));
}

void chkpnt_ct(const CtConfig &config, const ChkpntOptions &options) {
    const fs::path dir = dump_path(config, options.dumpfile);
    switch (options.stage) {
    case ChkStage::kSuspend:
        suspend_ct(config, VZ_CHKPNT_ERROR);
        return;
    case ChkStage::kResume:
        resume_frozen_ct(config, VZ_CHKPNT_ERROR);
        return;
    case ChkStage::kKill:
        kill_dumped(config, VZ_CHKPNT_ERROR);
        log_info("Container was killed");
        return;
    case ChkStage::kDump:
    case ChkStage::kFull:
        break;
    }
    log_info("Setting up checkpoint...");
    const bool full = options.stage == ChkStage::kFull;
    dump(config, dir, !full);
    if (full) {
        // criu killed the processes once they were saved.
        log_info("\tkill...");
        finish_stopped(config, VZ_CHKPNT_ERROR);
    }
    log_info("Checkpointing completed successfully");
}

void restore_ct(const CtConfig &config, const RestoreOptions &options) {
    const fs::path dir = dump_path(config, options.dumpfile);
    switch (options.stage) {
    case RstStage::kResume:
        log_info("\tresume...");
        resume_frozen_ct(config, VZ_RESTORE_ERROR);
        remove_dump(dir);
        return;
    case RstStage::kKill:
        kill_dumped(config, VZ_RESTORE_ERROR);
        log_info("Container was killed");
        return;
    case RstStage::kUndump:
    case RstStage::kFull:
        break;
    }
    undump(config, options, dir);
    if (options.stage == RstStage::kFull)
        remove_dump(dir);
    log_info("Restoring completed successfully");
}

void resume_ct(const CtConfig &config) {
    if (!is_running(config.ctid())) {
        std::error_code ec;
        if (fs::exists(default_dump_path(config), ec)) {
            restore_ct(config, RestoreOptions{});
            return;
        }
    }
    resume_frozen_ct(config, VZ_RESTORE_ERROR);
}

} // namespace vz
