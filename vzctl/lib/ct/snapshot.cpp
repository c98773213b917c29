// snapshot, snapshot-list/-switch/-delete/-mount/-umount, compact, convert:
// the container's side (state, cgroup freeze, stop and start around a switch)
// over the lvm layout's volumes (vzkit/storage/lvm.h).
#include "vzkit/ct/snapshot.h"

#include "vzkit/base/error.h"
#include "vzkit/base/json.h"
#include "vzkit/base/log.h"
#include "vzkit/base/step.h"
#include "vzkit/base/util.h"
#include "vzkit/ct/fs.h"
#include "vzkit/ct/start.h"
#include "vzkit/ct/state.h"
#include "vzkit/ct/suspend.h"
#include "vzkit/ct/stop.h"
#include "vzkit/storage/layout.h"
#include "vzkit/storage/lvm.h"
#include "vzkit/storage/quota.h"

#include <unistd.h>

#include <algorithm>
#include <iomanip>

namespace fs = std::filesystem;

namespace vz {
namespace {

void require_lvm(const CtConfig &config, std::string_view what) {
    const Layout &layout = layout_of(config);
    if (&layout == &kLvmLayout)
        return;
    throw Error(VZ_PLOOP_UNSUP,
                std::string(what) + ": layout " + std::string(layout.name) +
                    " has no volume to snapshot or trim (only lvm has); vzctl convert " +
                    std::to_string(config.ctid()) + " --layout lvm makes it one");
}

std::string uuid_or_throw(const std::string &id) {
    const auto uuid = lvm_layout::normalise_uuid(id);
    if (!uuid)
        throw Error(VZ_INVALID_PARAMETER_VALUE, "Invalid snapshot id " + id + ": not a UUID");
    return *uuid;
}

struct Field {
    std::string_view name, header;
    int width;
};
constexpr auto kFields = std::to_array<Field>({
    {"uuid", "UUID", 38},
    {"id", "UUID", 38},
    {"parent_uuid", "PARENT_UUID", 38},
    {"parent_id", "PARENT_UUID", 38},
    {"current", "C", 1},
    {"date", "DATE", 19},
    {"name", "NAME", 32},
    {"desc", "DESC", 32},
    {"device", "DEVICE", 16},
    {"target", "TARGET", 32},
});

std::string field_value(const CtConfig &config, const lvm_layout::Snapshot &s,
                        std::string_view field) {
    if (field == "uuid" || field == "id")
        return s.uuid;
    if (field == "parent_uuid" || field == "parent_id")
        return s.parent;
    if (field == "current")
        return s.current ? "*" : "";
    if (field == "date")
        return s.date;
    if (field == "name")
        return s.name;
    if (field == "desc")
        return s.description;
    const auto target = lvm_layout::snapshot_target(config, s.uuid);
    if (field == "device")
        return target ? "/dev/" + lvm_layout::names_of(config).vg + "/" +
                            lvm_layout::snapshot_lv(config, s.uuid)
                      : "";
    return target.value_or("");
}

} // namespace

void snapshot_ct(const CtConfig &config, const SnapshotOptions &options) {
    require_lvm(config, "snapshot");
    lvm_layout::Snapshot snap;
    snap.uuid = options.id ? uuid_or_throw(*options.id) : lvm_layout::new_uuid();
    snap.name = options.name.value_or("");
    snap.description = options.description.value_or("");
    const bool mounted = is_mounted(config);
    std::optional<CommandFreeze> frozen;
    if (is_running(config.ctid()) && !options.skip_suspend)
        frozen.emplace(config, VZ_CREATE_SNAPSHOT);
    step("snapshot.suspended");
    log_info("Creating snapshot " + snap.uuid);
    lvm_layout::create_snapshot(config, snap, mounted);
    frozen.reset();
    log_info("Snapshot " + snap.uuid + " has been successfully created");
}

void snapshot_list_ct(const CtConfig &config, const SnapshotListOptions &options,
                      std::ostream &out) {
    require_lvm(config, "snapshot-list");
    // Upstream's default columns; JSON without -o gives every field.
    const char *defaults = options.json ? "uuid,parent_uuid,current,date,name,desc,device,target"
                                        : "parent_uuid,current,uuid,date,name";
    std::vector<std::string> fields = split(options.fields.value_or(defaults), ',');
    for (const auto &f : fields)
        if (std::ranges::find(kFields, std::string_view(f), &Field::name) == kFields.end())
            throw Error(VZ_INVALID_PARAMETER_VALUE, "Unknown field: " + f);
    auto list = lvm_layout::snapshots(config);
    if (options.id) {
        const std::string uuid = uuid_or_throw(*options.id);
        std::erase_if(list, [&](const auto &s) { return s.uuid != uuid; });
        if (list.empty())
            throw Error(VZ_LIST_SNAPSHOT, "Snapshot " + uuid + " not found");
    }
    if (options.json) {
        JsonWriter json(out);
        json.begin_array();
        for (const auto &s : list) {
            json.begin_object();
            for (const auto &f : fields) {
                json.key(f);
                if (f == "current")
                    json.boolean(s.current);
                else
                    json.string(field_value(config, s, f));
            }
            json.end_object();
        }
        json.end_array();
        json.finish();
        return;
    }
    auto row = [&](auto value_of) {
        std::string line;
        for (std::size_t i = 0; i < fields.size(); ++i) {
            const auto &f = *std::ranges::find(kFields, std::string_view(fields[i]), &Field::name);
            std::string v = value_of(f);
            if (i + 1 < fields.size() && v.size() < static_cast<std::size_t>(f.width))
                v.resize(static_cast<std::size_t>(f.width), ' ');
            line += v;
            if (i + 1 < fields.size())
                line += ' ';
        }
        while (!line.empty() && line.back() == ' ')
            line.pop_back();
        out << line << "\n";
    };
    if (!options.no_header)
        row([](const Field &f) { return std::string(f.header); });
    for (const auto &s : list)
        row([&](const Field &f) { return field_value(config, s, f.name); });
}

void snapshot_switch_ct(CtConfig &config, const std::string &id, bool skip_resume) {
    require_lvm(config, "snapshot-switch");
    const std::string uuid = uuid_or_throw(id);
    const auto list = lvm_layout::snapshots(config);
    if (std::ranges::find(list, uuid, &lvm_layout::Snapshot::uuid) == list.end())
        throw Error(VZ_SWITCH_SNAPSHOT, "Snapshot " + uuid + " not found");
    const bool was_running = is_running(config.ctid());
    if (was_running)
        stop_ct(config, {});
    const bool was_mounted = is_mounted(config);
    if (was_mounted)
        umount_ct(config);
    step("snapshot-switch.stopped");
    log_info("Switching to snapshot " + uuid);
    lvm_layout::switch_snapshot(config, uuid);
    if (was_running && !skip_resume)
        start_ct(config, {});
    else if (was_mounted)
        mount_ct(config);
    log_info("Container has been successfully switched to snapshot " + uuid);
}

void snapshot_delete_ct(const CtConfig &config, const std::string &id) {
    require_lvm(config, "snapshot-delete");
    const std::string uuid = uuid_or_throw(id);
    log_info("Deleting snapshot " + uuid);
    lvm_layout::delete_snapshot(config, uuid);
    log_info("Snapshot " + uuid + " has been successfully deleted");
}

void snapshot_mount_ct(const CtConfig &config, const std::string &id, const fs::path &target) {
    require_lvm(config, "snapshot-mount");
    lvm_layout::mount_snapshot(config, uuid_or_throw(id), target);
    log_info("Snapshot " + uuid_or_throw(id) + " mounted read-only on " + target.string());
}

void snapshot_umount_ct(const CtConfig &config, const std::string &id) {
    require_lvm(config, "snapshot-umount");
    lvm_layout::umount_snapshot(config, uuid_or_throw(id));
    log_info("Snapshot " + uuid_or_throw(id) + " unmounted");
}

void compact_ct(const CtConfig &config) {
    require_lvm(config, "compact");
    const auto bytes = lvm_layout::compact(config);
    log_info("Trimmed " + std::to_string(bytes / 1024) + " KB: returned to the thin pool");
}

void volume_ct(const CtConfig &config, const VolumeOptions &options, std::ostream &out) {
    require_lvm(config, "volume");
    const auto info = options.create_size
                          ? lvm_layout::make_empty_volume(config, *options.create_size, options.used)
                          : lvm_layout::volume_info(config);
    out << info.device << " " << info.size << " " << info.used << "\n";
}

void convert_ct(CtConfig &config, const std::string &layout) {
    const Layout &from = layout_of(config);
    if (layout != "lvm" || &from != &kSimfsLayout)
        throw Error(VZ_INVALID_PARAMETER_VALUE,
                    "convert: only simfs to lvm is supported (this container is " +
                        std::string(from.name) + ", asked " + layout + ")");
    if (is_running(config.ctid()))
        throw Error(VZ_VE_RUNNING, "Container is running -- stop it first");
    if (is_mounted(config))
        throw Error(VZ_FS_MOUNTED, "Container is mounted -- umount it first");
    const fs::path tree = config.ve_private();
    if (!kSimfsLayout.exists(config))
        throw Error(VZ_FS_NOPRVT, "Container private area " + tree.string() + " does not exist");
    log_info("Converting container " + std::to_string(config.ctid()) + " from simfs to lvm");
    lvm_layout::convert_from_tree(config, tree, [&] {
        ConfigFile ct = config.ct();
        ct.set("VE_LAYOUT", "lvm");
        ct.save(config.ct_conf_path());
        config.ct() = ct;
        config.set_override("VE_LAYOUT", "lvm");
    });
    try {
        disk_quota_drop(config); // the simfs tree's project quota has no tree left
    } catch (const Error &e) {
        log_warning(e.what());
    }
    log_info("Container has been successfully converted to lvm");
}

} // namespace vz
