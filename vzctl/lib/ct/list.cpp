// Collecting vzlist's records: which containers exist (the config directory),
// their configuration, and what the live system says about running ones
// (state from ct_state, beancounter figures from the cgroup).
#include "vzkit/ct/list.h"

#include "vzkit/ct/checkpoint.h"

#include "vzkit/storage/quota.h"
#include "vzkit/quota/format.h"

#include "vzkit/backend/backend.h"
#include "vzkit/backend/device.h"
#include "vzkit/cgroup/cgroup.h"
#include "vzkit/ct/capability.h"
#include "vzkit/ct/features.h"
#include "vzkit/ct/params.h"
#include "vzkit/ct/state.h"
#include "vzkit/base/error.h"
#include "vzkit/base/log.h"
#include "vzkit/ubc/ubc.h"
#include "vzkit/ubc/proc.h"
#include "vzkit/base/util.h"

#include <fnmatch.h>

#include <climits>
#include <cstdlib>

#include <algorithm>
#include <array>
#include <memory>
#include <set>

namespace vz {
namespace {

namespace fs = std::filesystem;
using ubc::kPageSize;

// UbcFigures' members in UbcPart order.
constexpr auto kUbcParts =
    std::to_array({&UbcFigures::held, &UbcFigures::maxheld, &UbcFigures::barrier,
                   &UbcFigures::limit, &UbcFigures::failcnt});

std::optional<Ctid> ctid_of_conf_name(const std::string &file) {
    constexpr std::string_view kSuffix = ".conf";
    if (!file.ends_with(kSuffix))
        return std::nullopt;
    try {
        const Ctid ctid =
            parse_ctid(std::string_view(file).substr(0, file.size() - kSuffix.size()));
        return ctid == 0 ? std::nullopt : std::optional(ctid);
    } catch (const Error &) {
        return std::nullopt;
    }
}

// ---- live beancounter figures from the cgroup --------------------------------

// A cgroup file holding one figure. Files of the other cgroup version, or of a
// kernel too old to have them, are simply absent: the figure stays unknown.
struct CgroupFigure {
    std::string_view resource;
    UbcPart part;
    CgroupMode mode;
    std::string_view controller;
    std::string_view file;
    std::string_view key; // "key value" line of a flat-keyed file; empty: the whole file
    std::uint64_t unit;   // bytes per unit of the figure (pages), or 1
};

using enum UbcPart;
using enum CgroupMode;

constexpr auto kCgroupFigures = std::to_array<CgroupFigure>({
    {"numproc", MaxHeld, V1, "pids", "pids.peak", "", 1},
    {"numproc", MaxHeld, V2, "pids", "pids.peak", "", 1},
    {"numproc", Failcnt, V1, "pids", "pids.events", "max", 1},
    {"numproc", Failcnt, V2, "pids", "pids.events", "max", 1},
    {"physpages", MaxHeld, V1, "memory", "memory.max_usage_in_bytes", "", kPageSize},
    {"physpages", MaxHeld, V2, "memory", "memory.peak", "", kPageSize},
    {"physpages", Failcnt, V1, "memory", "memory.failcnt", "", 1},
    {"physpages", Failcnt, V2, "memory", "memory.events", "max", 1},
    {"swappages", Held, V2, "memory", "memory.swap.current", "", kPageSize},
    {"swappages", MaxHeld, V2, "memory", "memory.swap.peak", "", kPageSize},
    {"swappages", Failcnt, V1, "memory", "memory.memsw.failcnt", "", 1},
    {"swappages", Failcnt, V2, "memory", "memory.swap.events", "max", 1},
});

std::optional<std::uint64_t> read_cgroup_file(const Cgroup &cgroup, std::string_view controller,
                                              std::string_view file) {
    auto dir = cgroup.find(controller); // nullopt: not mounted (v1)
    return dir ? read_cgroup_figure(*dir / file, "") : std::nullopt;
}

std::optional<std::uint64_t> to_pages(std::optional<std::uint64_t> bytes) {
    return bytes ? std::optional(*bytes / kPageSize) : std::nullopt;
}

// A running CT's group and its pids, read once for its state and numproc.
struct LiveGroup {
    const Cgroup &cgroup;
    const std::vector<pid_t> &pids;
};

// Figures that take more than one file.
struct ComputedFigure {
    std::string_view resource;
    UbcPart part;
    std::optional<std::uint64_t> (*compute)(const LiveGroup &live);
};

// Processes, as OpenVZ's numproc counts them: every pid in the CT's group.
std::optional<std::uint64_t> count_pids(const LiveGroup &live) {
    return live.pids.size();
}

std::optional<std::uint64_t> memory_pages(const LiveGroup &live) {
    return to_pages(live.cgroup.memory_usage_bytes());
}

// v1 only accounts memory+swap together; swap is the difference.
std::optional<std::uint64_t> swap_pages_v1(const LiveGroup &live) {
    const Cgroup &cgroup = live.cgroup;
    if (cgroup.mode() != V1)
        return std::nullopt;
    auto both = read_cgroup_file(cgroup, "memory", "memory.memsw.usage_in_bytes");
    auto memory = read_cgroup_file(cgroup, "memory", "memory.usage_in_bytes");
    if (!both || !memory)
        return std::nullopt;
    return *both > *memory ? (*both - *memory) / kPageSize : 0;
}

constexpr auto kComputedFigures = std::to_array<ComputedFigure>({
    {"numproc", Held, count_pids},
    {"physpages", Held, memory_pages},
    {"swappages", Held, swap_pages_v1},
});

void add_live_figures(const LiveGroup &live, std::string_view resource, UbcFigures &figures) {
    for (const auto &row : kComputedFigures)
        if (row.resource == resource)
            if (auto value = row.compute(live))
                figures.at(row.part) = value;
    for (const auto &row : kCgroupFigures) {
        if (row.resource != resource || row.mode != live.cgroup.mode())
            continue;
        auto dir = live.cgroup.find(row.controller);
        if (auto value = dir ? read_cgroup_figure(*dir / row.file, row.key) : std::nullopt)
            figures.at(row.part) = *value / row.unit;
    }
}

// Barrier and limit as the config sets them. A resource the config does not
// name shows 0 and 0, as OpenVZ's vzlist shows it (its config holds none).
UbcFigures config_figures(const CtConfig &config, std::string_view resource) {
    UbcFigures figures;
    const ubc::Resource *res = ubc::find_resource_by_name(resource);
    if (!res)
        return figures;
    figures.barrier = 0;
    figures.limit = 0;
    auto text = params::get_setting(config, res->key);
    if (auto value = text ? ubc::parse_value(*text, res->unit) : std::nullopt) {
        figures.barrier = value->barrier;
        figures.limit = value->limit;
    }
    return figures;
}

// All five figures of every resource as the vzkit module accounts them
// (/proc/bc/<CTID>/resources, what vzubc shows too).
bool add_module_figures(const ubc::Beancounter &bc, std::string_view resource,
                        UbcFigures &figures) {
    const ubc::Row *row = bc.find(resource);
    if (!row)
        return false;
    figures = {row->held, row->maxheld, row->barrier, row->limit, row->failcnt};
    return true;
}

// A running CT's uptime and load, from the vzkit module: none without it,
// or for a caller the device refuses ("-", as OpenVZ's vzlist without them).
void collect_cpustat(Ctid ctid, CtRecord &record) {
    if (&backend() != &kModuleBackend)
        return;
    try {
        const kmod::Device *dev = kmod::Device::shared();
        auto stat = dev ? dev->cpustat(ctid) : std::nullopt;
        if (stat) {
            record.laverage = LoadAverage{stat->loadavg};
            record.uptime = Uptime{stat->uptime_s};
        }
    } catch (const Error &e) {
        log_debug(1, e.what());
    }
}

// live: the CT's group while it runs, nullptr otherwise. Live figures only
// for the resources in wanted.
void collect_ubc(const CtConfig &config, const LiveGroup *live,
                 const std::set<std::string, std::less<>> &wanted, CtRecord &record) {
    if (wanted.empty())
        live = nullptr;
    std::optional<ubc::Beancounter> module;
    if (live)
        module = backend().read_counters(config.ctid());
    for (const Field &field : fields()) {
        if (field.kind != FieldKind::Ubc)
            continue;
        UbcFigures figures = config_figures(config, field.name);
        if (live && wanted.contains(field.name) &&
            !(module && add_module_figures(*module, field.name, figures)))
            add_live_figures(*live, field.name, figures);
        record.ubc.insert_or_assign(std::string(field.name), figures);
    }
}

// ---- state and configuration -------------------------------------------------

std::optional<std::string> non_empty(const CtConfig &config, std::string_view key) {
    auto value = config.get(key);
    if (!value || trim(*value).empty())
        return std::nullopt;
    return std::string(trim(*value));
}

std::optional<std::string> path_setting(const CtConfig &config, std::string_view key) {
    auto value = config.get(key);
    if (!value || value->empty())
        return std::nullopt;
    return substitute_veid(*value, config.ctid());
}

bool exists(const std::optional<std::string> &path) {
    std::error_code ec;
    return path && fs::exists(*path, ec);
}

// What the live system says, read once per listing rather than once per CT
// and field: the cgroup layout (mountinfo has a line per running CT), the
// caller's pid namespace depth and, the first time a stopped CT asks, the
// mount points.
class LiveView {
  public:
    LiveView() : layout_(CgroupLayout::shared()), pid_depth_(own_pid_depth()) {}

    Cgroup cgroup(Ctid ctid) const { return Cgroup(ctid, layout_); }
    bool running(const std::vector<pid_t> &pids) const {
        return !pids.empty() && find_init_pid(pids, pid_depth_).has_value();
    }
    bool is_mount_point(const fs::path &path) {
        char resolved[PATH_MAX];
        if (!::realpath(path.c_str(), resolved))
            return false;
        if (!mount_points_) {
            auto points = mount_points();
            mount_points_.emplace(std::make_move_iterator(points.begin()),
                                  std::make_move_iterator(points.end()));
        }
        return mount_points_->contains(resolved);
    }

  private:
    std::shared_ptr<const CgroupLayout> layout_;
    std::size_t pid_depth_;
    std::optional<std::set<std::string, std::less<>>> mount_points_;
};

// OpenVZ's get_mounted_status: a CT that is not running is hidden without a
// private area, suspended with a dump file, mounted with its root mounted.
std::optional<ListStatus> derive_status(const CtConfig &config, const CtRecord &record,
                                        bool running, LiveView &view) {
    if (running)
        return ListStatus::Running;
    if (!exists(record.private_path))
        return std::nullopt;
    if (record.root && view.is_mount_point(*record.root))
        return ListStatus::Mounted;
    std::error_code ec;
    if (fs::exists(default_dump_path(config), ec))
        return ListStatus::Suspended;
    return ListStatus::Stopped;
}

// NAME counts only while names/<name> resolves to this CT, as in OpenVZ: a
// stale NAME left in a config must not make two CTs answer to one name.
std::optional<std::string> registered_name(const CtConfig &config) {
    auto name = config.ct().get("NAME");
    if (!name || name->empty() || ctid_by_name(*name) != config.ctid())
        return std::nullopt;
    return name;
}

void collect_config(const CtConfig &config, CtRecord &record) {
    record.hostname = config.get("HOSTNAME");
    record.name = registered_name(config);
    record.description = config.get("DESCRIPTION");
    record.ostemplate = config.get("OSTEMPLATE");
    record.private_path = path_setting(config, "VE_PRIVATE");
    record.root = path_setting(config, "VE_ROOT");
    record.ip = split_ws(config.get_or("IP_ADDRESS", ""));
    record.nameserver = split_ws(config.get_or("NAMESERVER", ""));
    record.searchdomain = split_ws(config.get_or("SEARCHDOMAIN", ""));
    record.mount_opts = non_empty(config, "MOUNT_OPTS");
    record.origin_sample = non_empty(config, "ORIGIN_SAMPLE");
    if (auto onboot = non_empty(config, "ONBOOT"))
        record.onboot = config.get_bool("ONBOOT", false);
    auto number = [&](std::string_view key) {
        auto text = config.get(key);
        return text ? parse_number<std::uint64_t>(trim(*text)) : std::nullopt;
    };
    record.bootorder = number("BOOTORDER");
    record.cpuunits = number("CPUUNITS");
    record.cpulimit = number("CPULIMIT");
    // OpenVZ keeps both CPU figures together: one set shows the other as 0.
    if (record.cpuunits || record.cpulimit) {
        record.cpuunits = record.cpuunits.value_or(0);
        record.cpulimit = record.cpulimit.value_or(0);
    }
    record.cpus = number("CPUS");
    record.ioprio = number("IOPRIO");
    if (record.ioprio && *record.ioprio > 7)
        record.ioprio.reset();
    record.iolimit = number("IOLIMIT");
    record.iopslimit = number("IOPSLIMIT");
    if (auto layout = non_empty(config, "VE_LAYOUT"))
        record.layout = to_lower(layout->substr(0, layout->find(':')));
    record.features = feature_switches(config.get_or("FEATURES", ""));
    record.capability = capability_switches(config.get_or("CAPABILITY", ""));
    record.disabled = config.get_bool("DISABLED", false);
    if (auto overcommit = non_empty(config, "VM_OVERCOMMIT")) {
        char *end = nullptr;
        const double value = std::strtod(overcommit->c_str(), &end);
        if (end != overcommit->c_str() && *end == '\0' && value > 0)
            record.vm_overcommit = value;
    }
    record.netfilter = non_empty(config, "NETFILTER");
}

// Limits from the config (as OpenVZ's vzlist merges them), usage from the
// quota: the kernel's while it is on, the quota file's last figure otherwise.
void collect_disk(const CtConfig &config, CtRecord &record) {
    const auto space = parse_diskspace(config.get_or("DISKSPACE", ""));
    const auto inodes = parse_diskinodes(config.get_or("DISKINODES", ""));
    const auto report = disk_quota_report(config.ctid());
    if (!space && !inodes && !report)
        return;
    auto figures = [](const auto &limits, std::optional<std::uint64_t> usage) {
        UbcFigures f;
        f.held = usage;
        f.barrier = limits ? limits->first : 0;
        f.limit = limits ? limits->second : 0;
        return f;
    };
    record.diskspace =
        figures(space, report ? std::optional(quota::kilobytes(report->bytes)) : std::nullopt);
    record.diskinodes = figures(inodes, report ? std::optional(report->inodes) : std::nullopt);
}

bool matches(const std::optional<std::string> &pattern, const std::optional<std::string> &value) {
    if (!pattern)
        return true;
    return value && ::fnmatch(pattern->c_str(), value->c_str(), 0) == 0;
}

} // namespace

Ctid listed_ctid(const std::string &text) {
    try {
        if (const Ctid ctid = parse_ctid(text); ctid != 0)
            return ctid;
    } catch (const Error &) {
    }
    if (auto ctid = ctid_by_name(text))
        return *ctid;
    throw Error(1, "CT ID " + text + " is invalid.");
}

std::vector<Ctid> list_ctids() {
    std::vector<Ctid> out;
    std::error_code ec;
    for (fs::directory_iterator it(ct_conf_dir(), ec), end; !ec && it != end; it.increment(ec))
        if (auto ctid = ctid_of_conf_name(it->path().filename().string()))
            out.push_back(*ctid);
    std::ranges::sort(out);
    return out;
}

std::string_view status_name(ListStatus status) {
    constexpr auto kNames =
        std::to_array<std::string_view>({"running", "stopped", "mounted", "suspended"});
    return kNames.at(static_cast<std::size_t>(status));
}

std::optional<std::uint64_t> &UbcFigures::at(UbcPart part) {
    return this->*kUbcParts.at(static_cast<std::size_t>(part));
}

const std::optional<std::uint64_t> &UbcFigures::at(UbcPart part) const {
    return this->*kUbcParts.at(static_cast<std::size_t>(part));
}

namespace {

// One CT: its group is read once (pids), and serves both its state and its
// process count.
std::optional<CtRecord> collect_one(const CtConfig &config, const Cgroup &cgroup,
                                    const std::vector<pid_t> &pids, LiveView &view,
                                    const ListNeeds &needs) {
    if (!config.ct_exists())
        return std::nullopt;
    CtRecord record;
    record.ctid = config.ctid();
    collect_config(config, record);
    const bool running = view.running(pids);
    auto status = derive_status(config, record, running, view);
    if (!status)
        return std::nullopt;
    record.status = *status;
    const LiveGroup live{cgroup, pids};
    collect_ubc(config, running ? &live : nullptr, needs.live_ubc, record);
    if (running && needs.cpustat)
        collect_cpustat(config.ctid(), record);
    if (needs.disk)
        collect_disk(config, record);
    return record;
}

} // namespace

std::optional<CtRecord> collect_ct(const CtConfig &config) {
    LiveView view;
    const Cgroup cgroup = view.cgroup(config.ctid());
    return collect_one(config, cgroup, cgroup.member_pids(), view, ListNeeds::all());
}

ListNeeds ListNeeds::all() {
    ListNeeds needs;
    for (const Field &field : fields())
        if (field.kind == FieldKind::Ubc)
            needs.live_ubc.emplace(field.name);
    needs.disk = true;
    needs.cpustat = true;
    return needs;
}

ListNeeds ListNeeds::of(std::span<const FieldRef> refs) {
    ListNeeds needs;
    for (const FieldRef &ref : refs) {
        const Field &field = *ref.field;
        const bool from_config = ref.part == UbcPart::Barrier || ref.part == UbcPart::Limit;
        if (field.kind == FieldKind::Ubc && !from_config)
            needs.live_ubc.emplace(field.name);
        needs.disk = needs.disk || field.kind == FieldKind::Disk;
        needs.cpustat = needs.cpustat || field.name == "laverage" || field.name == "uptime";
    }
    return needs;
}

std::vector<CtRecord> collect_cts(std::span<const Ctid> ctids, StatusFilter filter,
                                  const ConfigFile &global, const ListNeeds &needs) {
    LiveView view;
    std::vector<CtRecord> out;
    for (Ctid ctid : ctids) {
        const Cgroup cgroup = view.cgroup(ctid);
        const auto pids = cgroup.member_pids();
        // Listing running CTs: a stopped CT's config is not even read.
        if (filter == StatusFilter::Running && !view.running(pids))
            continue;
        std::optional<CtRecord> record;
        try {
            record = collect_one(CtConfig::load(ctid, global), cgroup, pids, view, needs);
        } catch (const Error &e) {
            // One unreadable config must not hide every other CT.
            log_warning("CT " + std::to_string(ctid) + ": " + e.what());
        }
        if (!record)
            continue;
        if (filter == StatusFilter::NotRunning && record->status == ListStatus::Running)
            continue;
        out.push_back(std::move(*record));
    }
    return out;
}

std::vector<std::string> ubc_fields_unavailable(std::span<const FieldRef> columns) {
    std::vector<std::string> out;
    if (backend().accounts_every_ubc)
        return out;
    auto has_cgroup_source = [](std::string_view resource) {
        return std::ranges::any_of(kComputedFigures,
                                   [&](const auto &row) { return row.resource == resource; });
    };
    for (const FieldRef &ref : columns) {
        const std::string name(ref.field->name);
        const bool from_config = ref.part == UbcPart::Barrier || ref.part == UbcPart::Limit;
        if (ref.field->kind == FieldKind::Ubc && !from_config && !has_cgroup_source(name) &&
            std::ranges::find(out, name) == out.end())
            out.push_back(name);
    }
    return out;
}

bool PatternFilter::matches(const CtRecord &record) const {
    return vz::matches(hostname, record.hostname) && vz::matches(name, record.name) &&
           vz::matches(description, record.description);
}

} // namespace vz
