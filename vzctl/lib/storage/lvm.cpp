// lvm: a thin volume per container, its own file system on VE_ROOT
// (vzkit/storage/lvm.h, docs/storage.md). LVM is driven through liblvm2cmd
// (vzkit/storage/lvm2.h); mkfs, resize2fs, xfs_growfs, e2fsck and cp run as
// programs, their last line of output the error's text.
#include "vzkit/storage/lvm.h"

#include "vzkit/base/error.h"
#include "vzkit/base/json.h"
#include "vzkit/base/log.h"
#include "vzkit/base/process.h"
#include "vzkit/base/step.h"
#include "vzkit/base/util.h"
#include "vzkit/ct/template.h"
#include "vzkit/storage/lvm2.h"
#include "vzkit/storage/mounts.h"
#include "vzkit/storage/quota.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <functional>
#include <memory>
#include <ctime>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace vz {
namespace lvm_layout {
namespace {

constexpr std::uint64_t kMiB = 1024 * 1024;
constexpr const char *kMetadata = "Snapshots.json";

// --- programs ---------------------------------------------------------------

// Runs argv (argv[0] looked up in the system's directories) with stdio on a
// pipe; a non-zero exit throws Error(code, what + ": " + its last line).
std::string run_program(std::vector<std::string> argv, int code, const std::string &what) {
    argv[0] = system_program(argv[0], VZ_SYSTEM_ERROR);
    const ProgramOutput out =
        run_captured(argv, {"PATH=/usr/sbin:/sbin:/usr/bin:/bin", "LC_ALL=C"}, VZ_RESOURCE_ERROR);
    if (out.status != 0) {
        std::string last;
        for (const auto &line : split(out.text, '\n'))
            if (!trim(line).empty())
                last = std::string(trim(line));
        throw Error(code, what + ": " + (last.empty() ? argv[0] + " exited with " +
                                                            std::to_string(out.status)
                                                      : last));
    }
    return out.text;
}

// --- names and checks ---------------------------------------------------------

std::string key_or_throw(const CtConfig &config, const char *key, int code) {
    const std::string value = config.get_or(key, "");
    if (value.empty())
        throw Error(code, std::string(key) + " is not set: the lvm layout needs the volume "
                                             "group and thin pool in vz.conf (docs/storage.md)");
    if (!lvm::valid_name(value))
        throw Error(VZ_INVALID_CONFIG, std::string(key) + "=" + value + " is no LVM name");
    return value;
}

std::string fs_type(const CtConfig &config) {
    const std::string fs = to_lower(config.get_or("VE_LVM_FS", "ext4"));
    if (fs != "ext4" && fs != "xfs")
        throw Error(VZ_INVALID_CONFIG, "VE_LVM_FS=" + fs + ": use ext4 or xfs");
    return fs;
}

std::vector<lvm::Volume> volumes_or_throw(const Names &n, int code) {
    std::string error;
    auto list = lvm::volumes(n.vg, &error);
    if (!list)
        throw Error(code, "Volume group " + n.vg + ": " + error);
    return std::move(*list);
}

const lvm::Volume *find_volume(const std::vector<lvm::Volume> &list, std::string_view name) {
    auto it = std::ranges::find(list, name, &lvm::Volume::name);
    return it == list.end() ? nullptr : &*it;
}

// The thin pool must be there and be one.
void check_pool(const Names &n, const std::vector<lvm::Volume> &list, int code) {
    const auto *pool = find_volume(list, n.pool);
    if (!pool)
        throw Error(code, "Thin pool " + n.vg + "/" + n.pool + " not found");
    if (!pool->thin_pool())
        throw Error(code, n.vg + "/" + n.pool + " is not a thin pool");
}

std::string lv_path(const Names &n, const std::string &lv) {
    return n.vg + "/" + lv;
}

std::string device_of(const Names &n, const std::string &lv) {
    return "/dev/" + n.vg + "/" + lv;
}

// Waits briefly for a device node LVM just made (udev may still be at it).
void wait_for_node(const std::string &device, int code) {
    for (int i = 0; i < 100; ++i) {
        struct stat st {};
        if (stat(device.c_str(), &st) == 0 && S_ISBLK(st.st_mode))
            return;
        usleep(20000);
    }
    throw Error(code, "Device " + device + " did not appear");
}

void lv_remove(const Names &n, const std::string &lv) {
    lvm::run({"lvremove", "-f", "-y", lv_path(n, lv)});
}

// Removes a volume when it goes out of scope, unless released.
class VolumeGuard {
  public:
    VolumeGuard(Names n, std::string lv) : n_(std::move(n)), lv_(std::move(lv)) {}
    VolumeGuard(const VolumeGuard &) = delete;
    VolumeGuard &operator=(const VolumeGuard &) = delete;
    ~VolumeGuard() {
        if (lv_.empty())
            return;
        const auto r = lvm::run({"lvremove", "-f", "-y", lv_path(n_, lv_)});
        if (!r.ok)
            log_warning("Unable to remove " + lv_path(n_, lv_) + ": " + r.error);
    }
    void rename(std::string lv) { lv_ = std::move(lv); }
    void release() { lv_.clear(); }

  private:
    Names n_;
    std::string lv_;
};

// A mount undone when it goes out of scope, unless released.
class MountGuard {
  public:
    MountGuard() = default;
    explicit MountGuard(fs::path point) : point_(std::move(point)) {}
    MountGuard(const MountGuard &) = delete;
    MountGuard &operator=(const MountGuard &) = delete;
    ~MountGuard() {
        if (!point_.empty() && umount2(point_.c_str(), 0) != 0)
            umount2(point_.c_str(), MNT_DETACH);
    }
    void release() { point_.clear(); }

  private:
    fs::path point_;
};

bool ugid_quota_wanted(const CtConfig &config) {
    const auto n = parse_number<std::uint64_t>(config.get_or("QUOTAUGIDLIMIT", "0"));
    return n && *n > 0;
}

std::string mount_options(const CtConfig &config, const std::string &fs) {
    std::string opts = ugid_quota_wanted(config) ? "usrquota,grpquota" : "";
    (void)fs;
    return opts;
}

void mount_volume(const std::string &device, const fs::path &point, const std::string &fs,
                  const std::string &options, unsigned long flags, int code) {
    if (::mount(device.c_str(), point.c_str(), fs.c_str(), flags,
                options.empty() ? nullptr : options.c_str()) != 0)
        throw_errno(code, "Unable to mount " + device + " on " + point.string());
}

void make_fs(const CtConfig &config, const std::string &device, int code) {
    const std::string fs = fs_type(config);
    const auto inodes = parse_diskinodes(config.get_or("DISKINODES", ""));
    if (fs == "ext4") {
        std::vector<std::string> argv = {"mkfs.ext4", "-q", "-F", "-E", "nodiscard"};
        if (inodes && inodes->second > 0) {
            argv.push_back("-N");
            argv.push_back(std::to_string(inodes->second));
        }
        if (ugid_quota_wanted(config)) {
            argv.push_back("-O");
            argv.push_back("quota");
        }
        argv.push_back(device);
        run_program(argv, code, "Unable to make a file system on " + device);
    } else {
        if (inodes && inodes->second > 0)
            log_info("DISKINODES: XFS allocates inodes as it needs them; the count is not fixed");
        run_program({"mkfs.xfs", "-q", "-f", "-K", device}, code,
                    "Unable to make a file system on " + device);
    }
}

std::string size_arg(std::uint64_t bytes) {
    return std::to_string(bytes) + "b";
}

// A new thin volume name of bytes in the pool, active, with its node;
// removed by the returned guard unless released.
std::unique_ptr<VolumeGuard> thin_volume(const Names &n, const std::string &lv,
                                         std::uint64_t bytes, int code) {
    lvm::run_or_throw({"lvcreate", "-q", "-y", "-n", lv, "-V", size_arg(bytes), "--thinpool",
                       lv_path(n, n.pool), "-ay", "-kn"},
                      code, "Unable to create the volume " + lv_path(n, lv));
    auto guard = std::make_unique<VolumeGuard>(n, lv);
    wait_for_node(device_of(n, lv), code);
    return guard;
}

// The same of DISKSPACE's size, with its file system.
std::unique_ptr<VolumeGuard> new_volume(const CtConfig &config, const Names &n,
                                        const std::string &lv, int code) {
    auto guard = thin_volume(n, lv, wanted_size(config), code);
    make_fs(config, device_of(n, lv), code);
    return guard;
}

void write_metadata(const CtConfig &config, const std::vector<Snapshot> &list);

// What makes a complete new volume (made as tmp_lv) the container's: the
// metadata directory (no snapshots), then the volume under its name. The
// returned guard removes the directory unless released.
RemoveGuard take_place(const CtConfig &config, const Names &n, VolumeGuard &volume,
                       const std::string &tmp_lv) {
    const fs::path private_dir = config.ve_private();
    std::error_code ec;
    fs::create_directories(private_dir, ec);
    if (ec)
        throw Error(VZ_FS_NEW_VE_PRVT, "Unable to create " + private_dir.string() + ": " +
                                           ec.message());
    RemoveGuard private_guard(private_dir);
    chmod(private_dir.c_str(), 0700);
    write_metadata(config, {});
    lvm::run_or_throw({"lvrename", "-q", n.vg, tmp_lv, n.lv}, VZ_CREATE_IMAGE,
                      "Unable to rename " + lv_path(n, tmp_lv));
    volume.rename(n.lv);
    return private_guard;
}

// The container's volume in list, activated and with its node:
// Error(VZ_FS_NOPRVT) when there is none.
const lvm::Volume &activated(const Names &n, const std::vector<lvm::Volume> &list) {
    const auto *lv = find_volume(list, n.lv);
    if (!lv)
        throw Error(VZ_FS_NOPRVT, "Logical volume " + lv_path(n, n.lv) + " does not exist");
    if (!lv->active())
        lvm::run_or_throw({"lvchange", "-q", "-ay", "-K", lv_path(n, n.lv)}, VZ_MOUNT_IMAGE,
                          "Unable to activate " + lv_path(n, n.lv));
    wait_for_node(n.device(), VZ_MOUNT_IMAGE);
    return *lv;
}

// Refuses what would clobber: the volume or a half-made one of another create.
void check_free_names(const Names &n, const std::vector<lvm::Volume> &list) {
    if (find_volume(list, n.lv))
        throw Error(VZ_FS_PRVT_AREA_EXIST, "Logical volume " + lv_path(n, n.lv) +
                                               " already exists; remove it or use another CTID");
}

// A leftover of an interrupted create or convert (we hold the CT lock).
void remove_leftover(const Names &n, const std::vector<lvm::Volume> &list,
                     const std::string &lv) {
    if (find_volume(list, lv)) {
        log_warning("Removing " + lv_path(n, lv) + ", left by an interrupted operation");
        lv_remove(n, lv);
    }
}

// What a snapshot-switch killed halfway leaves (we hold the CT lock). Between
// its two renames the volume is there only as <lv>-old: it is renamed back,
// as the switch did not happen (the metadata still says so), and the new
// state made for it goes. After them, <lv>-old is the previous state the
// switch was to discard. Returns the volumes as they are now.
std::vector<lvm::Volume> undo_interrupted_switch(const Names &n, std::vector<lvm::Volume> list,
                                                 int code) {
    const std::string old = n.lv + "-old";
    if (!find_volume(list, old))
        return list;
    if (find_volume(list, n.lv)) {
        remove_leftover(n, list, old);
    } else {
        log_warning("Renaming " + lv_path(n, old) + " back to " + n.lv +
                    ": a snapshot-switch was interrupted");
        lvm::run_or_throw({"lvrename", "-q", n.vg, old, n.lv}, code,
                          "Unable to rename " + lv_path(n, old) + " back");
        remove_leftover(n, list, n.lv + "-new");
    }
    return volumes_or_throw(n, code);
}

void check_pool_space(const Names &n, const std::vector<lvm::Volume> &list,
                      std::uint64_t needed) {
    const auto *pool = find_volume(list, n.pool);
    const double used = pool->data_percent / 100.0;
    const auto free = static_cast<std::uint64_t>(static_cast<double>(pool->size) * (1.0 - used));
    if (free < needed)
        throw Error(VZ_FS_NO_DISK_SPACE,
                    "Thin pool " + lv_path(n, n.pool) + " is full: " +
                        std::to_string(free / 1024) + " KB free, about " +
                        std::to_string(needed / 1024) + " KB needed");
}

// A temporary mount point next to the private area.
fs::path temp_mount_point(const CtConfig &config, const char *what) {
    fs::path p = config.ve_private();
    p += std::string(".") + what;
    std::error_code ec;
    fs::create_directories(p.parent_path(), ec);
    if (mkdir(p.c_str(), 0700) != 0 && errno != EEXIST)
        throw_errno(VZ_FS_MPOINTCREATE, "Unable to create " + p.string());
    return p;
}

// Where the block device is mounted in this namespace.
std::vector<std::string> mounts_of_device(const std::string &device) {
    struct stat st {};
    if (stat(device.c_str(), &st) != 0 || !S_ISBLK(st.st_mode))
        return {};
    const std::string mm =
        std::to_string(major(st.st_rdev)) + ":" + std::to_string(minor(st.st_rdev));
    std::vector<std::string> found;
    for (auto &m : parse_mountinfo(read_file("/proc/self/mountinfo").value_or("")))
        if (m.major_minor == mm)
            found.push_back(std::move(m.mount_point));
    return found;
}

bool is_mounted_at(const fs::path &point) {
    char resolved[PATH_MAX];
    if (!realpath(point.c_str(), resolved))
        return false;
    for (auto &m : parse_mountinfo(read_file("/proc/self/mountinfo").value_or("")))
        if (m.mount_point == resolved)
            return true;
    return false;
}

bool has_ext4_quota(const std::string &device) {
    try {
        const std::string out = run_program({"dumpe2fs", "-h", device}, VZ_MOUNT_IMAGE, "dumpe2fs");
        for (const auto &line : split(out, '\n'))
            if (line.starts_with("Filesystem features:")) {
                const auto words = split_ws(line);
                return std::ranges::find(words, "quota") != words.end();
            }
    } catch (const Error &) {
    }
    return false;
}

// The volume's file system size to DISKSPACE: grown online on a mounted one.
void grow_mounted(const CtConfig &config, const Names &n, const lvm::Volume &lv) {
    const std::uint64_t want = wanted_size(config);
    if (want <= lv.size)
        return;
    lvm::run_or_throw({"lvextend", "-q", "-L", size_arg(want), lv_path(n, n.lv)},
                      VZ_RESIZE_IMAGE, "Unable to grow " + lv_path(n, n.lv));
    if (fs_type(config) == "ext4")
        run_program({"resize2fs", n.device()}, VZ_RESIZE_IMAGE,
                    "Unable to grow the file system on " + n.device());
    else
        run_program({"xfs_growfs", config.ve_root().string()}, VZ_RESIZE_IMAGE,
                    "Unable to grow the file system on " + n.device());
    log_info("Disk of container " + std::to_string(config.ctid()) + " grown to " +
             std::to_string(want / kMiB) + " MB");
}

// A smaller DISKSPACE: ext4 shrinks offline (checked first), XFS cannot.
void shrink_unmounted(const CtConfig &config, const Names &n, const lvm::Volume &lv) {
    const std::uint64_t want = wanted_size(config);
    if (lv.size <= want + 4 * kMiB)
        return;
    if (fs_type(config) != "ext4")
        throw Error(VZ_RESIZE_IMAGE, "XFS cannot shrink: the volume stays at " +
                                         std::to_string(lv.size / kMiB) +
                                         " MB; set DISKSPACE to at least that");
    log_info("Shrinking the disk of container " + std::to_string(config.ctid()) + " to " +
             std::to_string(want / kMiB) + " MB");
    run_program({"e2fsck", "-f", "-p", n.device()}, VZ_RESIZE_IMAGE,
                "Unable to check " + n.device() + " before shrinking");
    run_program({"resize2fs", n.device(), std::to_string(want / 1024) + "K"}, VZ_RESIZE_IMAGE,
                "Unable to shrink the file system on " + n.device());
    lvm::run_or_throw({"lvreduce", "-q", "-f", "-L", size_arg(want), lv_path(n, n.lv)},
                      VZ_RESIZE_IMAGE, "Unable to shrink " + lv_path(n, n.lv));
}

// --- the layout's operations --------------------------------------------------

bool exists(const CtConfig &config) {
    try {
        const Names n = names_of(config);
        const auto list = lvm::volumes(n.vg);
        // Under its other name while a snapshot-switch was cut short between
        // its renames: mount renames it back (undo_interrupted_switch).
        return list && (find_volume(*list, n.lv) || find_volume(*list, n.lv + "-old"));
    } catch (const Error &) {
        return false;
    }
}

void create(const CtConfig &config, const TemplateSource &source,
            const std::function<void()> &commit) {
    const Names n = names_of(config);
    const auto list = volumes_or_throw(n, VZ_CREATE_IMAGE);
    check_pool(n, list, VZ_CREATE_IMAGE);
    check_free_names(n, list);
    check_pool_space(n, list, estimate_unpacked_size(source.tarball));
    const std::string tmp_lv = n.lv + "-new";
    remove_leftover(n, list, tmp_lv);
    log_info("Creating container private area (" + source.name + ") on thin volume " +
             lv_path(n, n.lv));
    install_interrupt_handlers();
    auto volume = new_volume(config, n, tmp_lv, VZ_CREATE_IMAGE);
    {
        const fs::path point = temp_mount_point(config, "mnt");
        RemoveGuard point_guard(point);
        mount_volume(device_of(n, tmp_lv), point, fs_type(config), "", 0, VZ_CREATE_IMAGE);
        MountGuard mounted(point);
        unpack_template(source.tarball, point);
        check_interrupted();
        const UniqueFd fd(open(point.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        syncfs(fd.get());
    }
    check_interrupted();
    // The metadata directory, then the volume under its name, then the config.
    RemoveGuard private_guard = take_place(config, n, *volume, tmp_lv);
    commit();
    volume->release();
    private_guard.release();
}

void mount(const CtConfig &config) {
    const Names n = names_of(config);
    const auto list = undo_interrupted_switch(n, volumes_or_throw(n, VZ_MOUNT_IMAGE), VZ_MOUNT_IMAGE);
    const lvm::Volume &lv = activated(n, list);
    const std::string fs = fs_type(config);
    try {
        shrink_unmounted(config, n, lv);
    } catch (const Error &e) {
        log_warning(e.what());
    }
    if (fs == "ext4" && ugid_quota_wanted(config) && !has_ext4_quota(n.device()))
        run_program({"tune2fs", "-O", "quota", n.device()}, VZ_ERROR_SET_USER_QUOTA,
                    "Unable to turn on the quota feature of " + n.device());
    const auto root = config.ve_root();
    std::error_code ec;
    fs::create_directories(root, ec);
    if (ec)
        throw Error(VZ_FS_MPOINTCREATE,
                    "Unable to create mount point " + root.string() + ": " + ec.message());
    mount_volume(n.device(), root, fs, mount_options(config, fs), 0, VZ_FS_CANTMOUNT);
    MountGuard guard(root);
    ::mount(nullptr, root.c_str(), nullptr, MS_PRIVATE, nullptr);
    const auto now = volumes_or_throw(n, VZ_MOUNT_IMAGE);
    if (const auto *cur = find_volume(now, n.lv))
        grow_mounted(config, n, *cur);
    guard.release();
}

void umount(const CtConfig &config) {
    umount_below(config.ve_root());
}

void destroy(const CtConfig &config) {
    const Names n = names_of(config);
    std::string error;
    const auto list = lvm::volumes(n.vg, &error);
    if (!list)
        throw Error(VZ_FS_DEL_PRVT, "Volume group " + n.vg + ": " + error);
    // The volume last: a destroy cut short leaves a container still there.
    std::vector<std::string> doomed;
    for (const auto &v : *list)
        if (v.name.starts_with(n.lv + "-"))
            doomed.push_back(v.name);
    if (find_volume(*list, n.lv))
        doomed.push_back(n.lv);
    if (!doomed.empty())
        log_info("Destroying container private area: " + lv_path(n, n.lv) +
                 (doomed.size() > 1 ? " and " + std::to_string(doomed.size() - 1) +
                                          " snapshot(s)"
                                    : ""));
    for (const auto &lv : doomed) {
        for (const auto &point : mounts_of_device(device_of(n, lv)))
            if (umount2(point.c_str(), 0) != 0)
                throw_errno(VZ_FS_DEL_PRVT, "Unable to unmount " + point + " (" + lv + ")");
        lvm::run_or_throw({"lvremove", "-q", "-f", "-y", lv_path(n, lv)}, VZ_FS_DEL_PRVT,
                          "Unable to remove " + lv_path(n, lv));
    }
    std::error_code ec;
    fs::remove_all(config.ve_private(), ec);
}

StorageUsage usage(const CtConfig &config) {
    const Names n = names_of(config);
    const auto root = config.ve_root();
    if (!mounts_of_device(n.device()).empty() && is_mounted_at(root)) {
        struct statvfs st {};
        if (statvfs(root.c_str(), &st) != 0)
            throw_errno(VZ_GET_QUOTA_USAGE, "Unable to read " + root.string());
        return {std::uint64_t(st.f_blocks - st.f_bfree) * st.f_frsize,
                std::uint64_t(st.f_files - st.f_ffree)};
    }
    const auto list = volumes_or_throw(n, VZ_GET_QUOTA_USAGE);
    const auto *lv = find_volume(list, n.lv);
    if (!lv)
        throw Error(VZ_FS_NOPRVT, "Logical volume " + lv_path(n, n.lv) + " does not exist");
    // Unmounted: what the volume holds in the pool.
    return {lv->used(),
            0};
}

void resize(const CtConfig &config, std::uint64_t bytes) {
    (void)bytes;
    apply_limits(config);
}

void snapshot_op(const CtConfig &, const fs::path &) {
    throw Error(VZ_PLOOP_UNSUP, "lvm snapshots are taken with vzctl snapshot");
}

// --- snapshots' metadata ------------------------------------------------------

fs::path metadata_path(const CtConfig &config) {
    return config.ve_private() / kMetadata;
}

std::string now_text() {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    localtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%F %T", &tm);
    return buf;
}

std::string bare(const std::string &uuid) {
    return uuid.size() > 2 && uuid.front() == '{' ? uuid.substr(1, uuid.size() - 2) : uuid;
}

void write_metadata(const CtConfig &config, const std::vector<Snapshot> &list) {
    std::ostringstream out;
    JsonWriter json(out);
    json.begin_object();
    json.key("snapshots");
    json.begin_array();
    for (const auto &s : list) {
        json.begin_object();
        json.key("uuid");
        json.string(s.uuid);
        json.key("parent_uuid");
        json.string(s.parent);
        json.key("name");
        json.string(s.name);
        json.key("description");
        json.string(s.description);
        json.key("date");
        json.string(s.date);
        json.key("current");
        json.boolean(s.current);
        json.end_object();
    }
    json.end_array();
    json.end_object();
    json.finish();
    write_file_atomic(metadata_path(config), out.str(), 0600);
}

Snapshot &find_snapshot(std::vector<Snapshot> &list, const std::string &uuid, int code) {
    auto it = std::ranges::find(list, uuid, &Snapshot::uuid);
    if (it == list.end())
        throw Error(code, "Snapshot " + uuid + " not found");
    return *it;
}

} // namespace

Names names_of(const CtConfig &config) {
    Names n;
    n.vg = key_or_throw(config, "VE_LVM_VG", VZ_CREATE_IMAGE);
    n.pool = key_or_throw(config, "VE_LVM_THINPOOL", VZ_CREATE_IMAGE);
    n.lv = "ct" + std::to_string(config.ctid());
    return n;
}

std::uint64_t wanted_size(const CtConfig &config) {
    const auto space = parse_diskspace(config.get_or("DISKSPACE", ""));
    if (!space || space->second == 0)
        throw Error(VZ_DISKSPACE_NOT_SET,
                    "DISKSPACE is not set: the lvm layout sizes the volume by its hard limit");
    const std::uint64_t bytes = space->second * 1024;
    return (bytes + kMiB - 1) / kMiB * kMiB;
}

void apply_limits(const CtConfig &config) {
    const Names n = names_of(config);
    const auto list = volumes_or_throw(n, VZ_RESIZE_IMAGE);
    const auto *lv = find_volume(list, n.lv);
    if (!lv)
        throw Error(VZ_FS_NOPRVT, "Logical volume " + lv_path(n, n.lv) + " does not exist");
    const std::uint64_t want = wanted_size(config);
    if (want + 4 * kMiB < lv->size)
        throw Error(VZ_RESIZE_IMAGE,
                    "A mounted volume cannot shrink (" + std::to_string(lv->size / kMiB) +
                        " MB now, " + std::to_string(want / kMiB) +
                        " MB asked): stop the container and set it with --save; ext4 shrinks "
                        "at the next mount, XFS never");
    grow_mounted(config, n, *lv);
    if (ugid_quota_wanted(config) &&
        std::string(config.get_or("VE_LVM_FS", "ext4")) != "xfs") {
        const auto root = config.ve_root();
        for (auto &m : parse_mountinfo(read_file("/proc/self/mountinfo").value_or("")))
            if (m.mount_point == root.string() &&
                m.super_options.find("usrquota") == std::string::npos)
                log_warning("QUOTAUGIDLIMIT takes effect at the container's next start");
    }
}

std::optional<QuotaNode> quota_node(const CtConfig &config) {
    if (&layout_of(config) != &kLvmLayout || !ugid_quota_wanted(config))
        return std::nullopt;
    const Names n = names_of(config);
    struct stat st {};
    if (stat(n.device().c_str(), &st) != 0 || !S_ISBLK(st.st_mode))
        return std::nullopt;
    return QuotaNode{n.vg + "/" + n.lv, static_cast<long>(major(st.st_rdev)),
                     static_cast<long>(minor(st.st_rdev)), S_IFBLK | 0400};
}

VolumeInfo volume_info(const CtConfig &config) {
    const Names n = names_of(config);
    const auto list = volumes_or_throw(n, VZ_FS_NOPRVT);
    const lvm::Volume &lv = activated(n, list);
    std::error_code ec;
    const auto node = fs::canonical(n.device(), ec);
    if (ec)
        throw Error(VZ_MOUNT_IMAGE, "Unable to resolve " + n.device() + ": " + ec.message());
    return {node.string(), lv.size, lv.used()};
}

VolumeInfo make_empty_volume(const CtConfig &config, std::uint64_t size, std::uint64_t used) {
    if (size == 0)
        throw Error(VZ_INVALID_PARAMETER_VALUE, "A volume of 0 bytes");
    const Names n = names_of(config);
    const auto list = volumes_or_throw(n, VZ_CREATE_IMAGE);
    check_pool(n, list, VZ_CREATE_IMAGE);
    check_free_names(n, list);
    check_pool_space(n, list, used);
    const fs::path private_dir = config.ve_private();
    std::error_code ec;
    if (fs::exists(fs::symlink_status(private_dir, ec)) && !fs::is_empty(private_dir, ec))
        throw Error(VZ_FS_PRVT_AREA_EXIST,
                    "Private area already exists in " + private_dir.string());
    const std::string tmp_lv = n.lv + "-new";
    remove_leftover(n, list, tmp_lv);
    install_interrupt_handlers();
    // A thin volume's blocks read as zeros until written: the copy writes
    // only where the source differs from that, so the source's unused
    // blocks take nothing from this pool.
    auto volume = thin_volume(n, tmp_lv, size, VZ_CREATE_IMAGE);
    check_interrupted();
    RemoveGuard private_guard = take_place(config, n, *volume, tmp_lv);
    check_interrupted();
    auto info = volume_info(config);
    volume->release();
    private_guard.release();
    return info;
}

std::vector<Snapshot> snapshots(const CtConfig &config) {
    const auto text = read_file(metadata_path(config));
    std::vector<Snapshot> list;
    if (!text)
        return list;
    try {
        const YAML::Node doc = YAML::Load(*text);
        for (const auto &node : doc["snapshots"]) {
            Snapshot s;
            s.uuid = node["uuid"].as<std::string>("");
            s.parent = node["parent_uuid"].as<std::string>("");
            s.name = node["name"].as<std::string>("");
            s.description = node["description"].as<std::string>("");
            s.date = node["date"].as<std::string>("");
            s.current = node["current"].as<bool>(false);
            list.push_back(std::move(s));
        }
    } catch (const YAML::Exception &e) {
        throw Error(VZ_LIST_SNAPSHOT,
                    "Unreadable " + metadata_path(config).string() + ": " + e.what());
    }
    return list;
}

std::string snapshot_lv(const CtConfig &config, const std::string &uuid) {
    return names_of(config).lv + "-snap-" + bare(uuid);
}

std::optional<std::string> snapshot_target(const CtConfig &config, const std::string &uuid) {
    const auto points = mounts_of_device(device_of(names_of(config), snapshot_lv(config, uuid)));
    if (points.empty())
        return std::nullopt;
    return points.front();
}

std::optional<std::string> normalise_uuid(std::string_view text) {
    if (text.size() == 38 && text.front() == '{' && text.back() == '}')
        text = text.substr(1, 36);
    if (text.size() != 36)
        return std::nullopt;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? text[i] != '-' : !std::isxdigit(static_cast<unsigned char>(text[i])))
            return std::nullopt;
    }
    return "{" + to_lower(text) + "}";
}

std::string new_uuid() {
    unsigned char b[16];
    std::ifstream in("/dev/urandom", std::ios::binary);
    if (!in.read(reinterpret_cast<char *>(b), sizeof b))
        throw Error(VZ_SYSTEM_ERROR, "Unable to read /dev/urandom");
    b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
    b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
    char out[40];
    std::snprintf(out, sizeof out,
                  "{%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x}", b[0],
                  b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
                  b[14], b[15]);
    return out;
}

void create_snapshot(const CtConfig &config, Snapshot snapshot, bool mounted) {
    const Names n = names_of(config);
    auto list = snapshots(config);
    if (std::ranges::find(list, snapshot.uuid, &Snapshot::uuid) != list.end())
        throw Error(VZ_CREATE_SNAPSHOT, "Snapshot " + snapshot.uuid + " already exists");
    auto lvs = volumes_or_throw(n, VZ_CREATE_SNAPSHOT);
    if (!find_volume(lvs, n.lv))
        throw Error(VZ_FS_NOPRVT, "Logical volume " + lv_path(n, n.lv) + " does not exist");
    // A snapshot volume the metadata does not list is what a snapshot killed
    // before writing it left (we hold the CT lock): no command knows it.
    bool removed = false;
    for (const auto &v : lvs) {
        const bool listed = std::ranges::any_of(
            list, [&](const Snapshot &s) { return snapshot_lv(config, s.uuid) == v.name; });
        if (v.name.starts_with(n.lv + "-snap-") && !listed) {
            remove_leftover(n, lvs, v.name);
            removed = true;
        }
    }
    if (removed)
        lvs = volumes_or_throw(n, VZ_CREATE_SNAPSHOT);
    const std::string lv = snapshot_lv(config, snapshot.uuid);
    if (find_volume(lvs, lv))
        throw Error(VZ_CREATE_SNAPSHOT, "Logical volume " + lv_path(n, lv) + " already exists");
    check_pool(n, lvs, VZ_CREATE_SNAPSHOT);
    if (mounted) {
        // Written back first, so that the freeze below has little to do.
        const UniqueFd fd(open(config.ve_root().c_str(),
                               O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
        if (fd)
            syncfs(fd.get());
    }
    // The file system is frozen by device-mapper itself: suspending a mounted
    // thin origin freezes it (freeze_bdev, what fsfreeze does) and resuming
    // thaws it, whatever happens in between. A FIFREEZE of ours around it
    // would make that suspend fail (EBUSY: already frozen).
    lvm::run_or_throw({"lvcreate", "-q", "-y", "-s", "-n", lv, lv_path(n, n.lv)},
                      VZ_CREATE_SNAPSHOT, "Unable to snapshot " + lv_path(n, n.lv));
    VolumeGuard guard(n, lv);
    step("snapshot.created");
    snapshot.date = now_text();
    snapshot.parent.clear();
    for (auto &s : list) {
        if (s.current)
            snapshot.parent = s.uuid;
        s.current = false;
    }
    snapshot.current = true;
    list.push_back(snapshot);
    try {
        write_metadata(config, list);
    } catch (const Error &e) {
        throw Error(VZ_CREATE_SNAPSHOT, e.what());
    }
    guard.release();
}

void switch_snapshot(const CtConfig &config, const std::string &uuid) {
    const Names n = names_of(config);
    auto list = snapshots(config);
    find_snapshot(list, uuid, VZ_SWITCH_SNAPSHOT);
    const auto lvs =
        undo_interrupted_switch(n, volumes_or_throw(n, VZ_SWITCH_SNAPSHOT), VZ_SWITCH_SNAPSHOT);
    const std::string snap = snapshot_lv(config, uuid);
    if (!find_volume(lvs, snap))
        throw Error(VZ_SWITCH_SNAPSHOT, "Snapshot volume " + lv_path(n, snap) + " is missing");
    const std::string fresh = n.lv + "-new", old = n.lv + "-old";
    remove_leftover(n, lvs, fresh);
    remove_leftover(n, lvs, old);
    lvm::run_or_throw({"lvcreate", "-q", "-y", "-s", "-n", fresh, "-kn", lv_path(n, snap)},
                      VZ_SWITCH_SNAPSHOT, "Unable to make a volume from " + lv_path(n, snap));
    VolumeGuard fresh_guard(n, fresh);
    // The old state under another name until the new one is in place.
    lvm::run_or_throw({"lvrename", "-q", n.vg, n.lv, old}, VZ_SWITCH_SNAPSHOT,
                      "Unable to rename " + lv_path(n, n.lv));
    step("snapshot-switch.renamed");
    const auto back = lvm::run({"lvrename", "-q", n.vg, fresh, n.lv});
    if (!back.ok) {
        lvm::run({"lvrename", "-q", n.vg, old, n.lv});
        throw Error(VZ_SWITCH_SNAPSHOT, "Unable to rename " + lv_path(n, fresh) + ": " +
                                            back.error);
    }
    fresh_guard.release();
    for (auto &s : list)
        s.current = s.uuid == uuid;
    write_metadata(config, list);
    step("snapshot-switch.switched");
    const auto r = lvm::run({"lvremove", "-q", "-f", "-y", lv_path(n, old)});
    if (!r.ok)
        log_warning("Unable to remove the previous state " + lv_path(n, old) + ": " + r.error);
}

void delete_snapshot(const CtConfig &config, const std::string &uuid) {
    const Names n = names_of(config);
    auto list = snapshots(config);
    const Snapshot gone = find_snapshot(list, uuid, VZ_DELETE_SNAPSHOT);
    const std::string lv = snapshot_lv(config, uuid);
    if (const auto target = snapshot_target(config, uuid))
        throw Error(VZ_DELETE_SNAPSHOT, "Snapshot " + uuid + " is mounted on " + *target +
                                            ": vzctl snapshot-umount first");
    const auto lvs = volumes_or_throw(n, VZ_DELETE_SNAPSHOT);
    if (find_volume(lvs, lv))
        lvm::run_or_throw({"lvremove", "-q", "-f", "-y", lv_path(n, lv)}, VZ_DELETE_SNAPSHOT,
                          "Unable to remove " + lv_path(n, lv));
    step("snapshot-delete.removed");
    std::erase_if(list, [&](const Snapshot &s) { return s.uuid == uuid; });
    for (auto &s : list) {
        if (s.parent == uuid)
            s.parent = gone.parent;
        if (gone.current && s.uuid == gone.parent)
            s.current = true;
    }
    write_metadata(config, list);
}

void mount_snapshot(const CtConfig &config, const std::string &uuid, const fs::path &target) {
    const Names n = names_of(config);
    auto list = snapshots(config);
    find_snapshot(list, uuid, VZ_MOUNT_SNAPSHOT);
    const std::string lv = snapshot_lv(config, uuid);
    if (const auto at = snapshot_target(config, uuid))
        throw Error(VZ_MOUNT_SNAPSHOT, "Snapshot " + uuid + " is already mounted on " + *at);
    struct stat st {};
    if (lstat(target.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        throw Error(VZ_MOUNT_SNAPSHOT, "Target " + target.string() + " is not a directory");
    lvm::run_or_throw({"lvchange", "-q", "-ay", "-K", lv_path(n, lv)}, VZ_MOUNT_SNAPSHOT,
                      "Unable to activate " + lv_path(n, lv));
    wait_for_node(device_of(n, lv), VZ_MOUNT_SNAPSHOT);
    const std::string fs = fs_type(config);
    // Read-only, and nothing replayed: the snapshot stays as it was taken.
    const std::string opts = fs == "ext4" ? "noload" : "norecovery,nouuid";
    if (::mount(device_of(n, lv).c_str(), target.c_str(), fs.c_str(),
                MS_RDONLY | MS_NOSUID | MS_NODEV, opts.c_str()) != 0) {
        const int saved = errno;
        lvm::run({"lvchange", "-q", "-an", lv_path(n, lv)});
        errno = saved;
        throw_errno(VZ_MOUNT_SNAPSHOT, "Unable to mount " + device_of(n, lv) + " on " +
                                           target.string());
    }
}

void umount_snapshot(const CtConfig &config, const std::string &uuid) {
    const Names n = names_of(config);
    auto list = snapshots(config);
    find_snapshot(list, uuid, VZ_UMOUNT_SNAPSHOT);
    const std::string lv = snapshot_lv(config, uuid);
    const auto points = mounts_of_device(device_of(n, lv));
    if (points.empty())
        throw Error(VZ_UMOUNT_SNAPSHOT, "Snapshot " + uuid + " is not mounted");
    for (const auto &p : points)
        if (umount2(p.c_str(), 0) != 0)
            throw_errno(VZ_UMOUNT_SNAPSHOT, "Unable to unmount " + p);
    const auto r = lvm::run({"lvchange", "-q", "-an", lv_path(n, lv)});
    if (!r.ok)
        log_warning("Unable to deactivate " + lv_path(n, lv) + ": " + r.error);
}

std::uint64_t compact(const CtConfig &config) {
    const Names n = names_of(config);
    const auto root = config.ve_root();
    fs::path point = root;
    std::optional<RemoveGuard> point_guard;
    std::optional<MountGuard> temp;
    if (!is_mounted_at(root) || mounts_of_device(n.device()).empty()) {
        const auto list = volumes_or_throw(n, VZ_COMPACT_IMAGE);
        const auto *lv = find_volume(list, n.lv);
        if (!lv)
            throw Error(VZ_FS_NOPRVT, "Logical volume " + lv_path(n, n.lv) + " does not exist");
        if (!lv->active())
            lvm::run_or_throw({"lvchange", "-q", "-ay", "-K", lv_path(n, n.lv)},
                              VZ_COMPACT_IMAGE, "Unable to activate " + lv_path(n, n.lv));
        wait_for_node(n.device(), VZ_COMPACT_IMAGE);
        point = temp_mount_point(config, "mnt");
        point_guard.emplace(point);
        mount_volume(n.device(), point, fs_type(config), "", 0, VZ_COMPACT_IMAGE);
        temp.emplace(point);
    }
    const UniqueFd fd(open(point.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd)
        throw_errno(VZ_COMPACT_IMAGE, "Unable to open " + point.string());
    struct fstrim_range range {};
    range.len = ULLONG_MAX;
    if (ioctl(fd.get(), FITRIM, &range) != 0)
        throw_errno(VZ_COMPACT_IMAGE, "Unable to trim " + point.string());
    return range.len;
}

void convert_from_tree(const CtConfig &config, const fs::path &tree,
                       const std::function<void()> &commit) {
    const Names n = names_of(config);
    const auto list = volumes_or_throw(n, VZ_CONVERT_IMAGE);
    check_pool(n, list, VZ_CONVERT_IMAGE);
    check_free_names(n, list);
    const std::string tmp_lv = n.lv + "-new";
    remove_leftover(n, list, tmp_lv);
    install_interrupt_handlers();
    auto volume = new_volume(config, n, tmp_lv, VZ_CONVERT_IMAGE);
    // The tree moves aside: VE_PRIVATE becomes the metadata directory.
    fs::path aside = tree;
    aside += ".simfs";
    {
        const fs::path point = temp_mount_point(config, "mnt");
        RemoveGuard point_guard(point);
        mount_volume(device_of(n, tmp_lv), point, fs_type(config), "", 0, VZ_CONVERT_IMAGE);
        MountGuard mounted(point);
        // cp -a: owners, modes, times, hard links, xattrs (ACLs and file
        // capabilities among them); symlinks copied, never followed.
        run_program({"cp", "-a", "--preserve=all", "--no-target-directory", tree.string() + "/.",
                     point.string()},
                    VZ_CONVERT_IMAGE, "Unable to copy " + tree.string());
        check_interrupted();
        const UniqueFd fd(open(point.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        syncfs(fd.get());
    }
    if (rename(tree.c_str(), aside.c_str()) != 0)
        throw_errno(VZ_CONVERT_IMAGE, "Unable to move " + tree.string() + " aside");
    try {
        std::error_code ec;
        fs::create_directories(tree, ec);
        chmod(tree.c_str(), 0700);
        write_metadata(config, {});
        lvm::run_or_throw({"lvrename", "-q", n.vg, tmp_lv, n.lv}, VZ_CONVERT_IMAGE,
                          "Unable to rename " + lv_path(n, tmp_lv));
        volume->rename(n.lv);
        commit();
    } catch (...) {
        std::error_code ec;
        fs::remove_all(tree, ec);
        rename(aside.c_str(), tree.c_str());
        throw;
    }
    volume->release();
    std::error_code ec;
    fs::remove_all(aside, ec);
    if (ec)
        log_warning("Unable to remove the old tree " + aside.string() + ": " + ec.message());
}

} // namespace lvm_layout

const Layout kLvmLayout = {
    .name = "lvm",
    .exists = lvm_layout::exists,
    .create = lvm_layout::create,
    .mount = lvm_layout::mount,
    .umount = lvm_layout::umount,
    .destroy = lvm_layout::destroy,
    .usage = lvm_layout::usage,
    .resize = lvm_layout::resize,
    .snapshot = lvm_layout::snapshot_op,
};

} // namespace vz
