#include "vzkit/ubc/tools.h"

#include "vzkit/ubc/ubc.h"
#include "vzkit/base/util.h"

#include <algorithm>
#include <map>

namespace vz::ubc {
namespace {

constexpr std::uint64_t kIntMax = 2147483647;

bool unlimited(std::uint64_t v) {
    return v >= kUnlimited || v == kIntMax;
}

// A figure of a row, 0 when the row is missing.
std::uint64_t figure(const Beancounter &bc, std::string_view res, std::uint64_t Row::*part) {
    const Row *row = bc.find(res);
    return row ? row->*part : 0;
}

// A limit as a promise: unlimited promises nothing measurable.
std::uint64_t promised(const Beancounter &bc, std::string_view res, std::uint64_t Row::*part) {
    const std::uint64_t v = figure(bc, res, part);
    return unlimited(v) ? 0 : v;
}

double ratio(long double part, std::uint64_t whole) {
    return whole ? static_cast<double>(part / static_cast<long double>(whole)) : 0;
}

constexpr std::string_view kSockBufs[] = {"tcpsndbuf", "tcprcvbuf", "othersockbuf", "dgramrcvbuf"};

long double kernel_bytes(const Beancounter &bc, std::uint64_t Row::*part, bool as_promise) {
    auto get = as_promise ? promised : figure;
    long double sum = get(bc, "kmemsize", part);
    for (auto res : kSockBufs)
        sum += get(bc, res, part);
    return sum;
}

} // namespace

std::optional<HostMemory> parse_meminfo(std::string_view text) {
    std::map<std::string, std::uint64_t, std::less<>> kb;
    for (const auto &line : vz::split(text, '\n')) {
        auto words = split_ws(line);
        if (words.size() < 2)
            continue;
        if (auto v = vz::parse_number<std::uint64_t>(words[1]))
            kb[words[0]] = *v;
    }
    if (!kb.contains("MemTotal:"))
        return std::nullopt;
    HostMemory host;
    host.ram = kb["MemTotal:"] * 1024;
    host.swap = kb.contains("SwapTotal:") ? kb["SwapTotal:"] * 1024 : 0;
    host.lowmem = kb.contains("LowTotal:") ? kb["LowTotal:"] * 1024 : host.ram;
    return host;
}

std::optional<HostMemory> read_host_memory() {
    return parse_meminfo(vz::read_file("/proc/meminfo").value_or(""));
}

std::uint64_t read_max_tasks() {
    const auto text = vz::read_file("/proc/sys/kernel/pid_max").value_or("");
    return vz::parse_number<std::uint64_t>(vz::trim(text)).value_or(32768);
}

MemoryUse &MemoryUse::operator+=(const MemoryUse &o) {
    lowmem_util += o.lowmem_util;
    lowmem_commit += o.lowmem_commit;
    ram_util += o.ram_util;
    memswap_util += o.memswap_util;
    memswap_commit += o.memswap_commit;
    alloc_util += o.alloc_util;
    alloc_commit += o.alloc_commit;
    alloc_limit += o.alloc_limit;
    return *this;
}

MemoryUse memory_use(const Beancounter &bc, const HostMemory &host) {
    const std::uint64_t memswap = host.ram + host.swap;
    const long double page = static_cast<long double>(kPageSize);
    MemoryUse u;
    u.lowmem_util = ratio(kernel_bytes(bc, &Row::held, false), host.lowmem);
    u.lowmem_commit = ratio(kernel_bytes(bc, &Row::limit, true), host.lowmem);
    const auto phys = static_cast<long double>(figure(bc, "physpages", &Row::held));
    const auto swap = static_cast<long double>(figure(bc, "swappages", &Row::held));
    u.ram_util = ratio(phys * page, host.ram);
    u.memswap_util = ratio((phys + swap) * page, memswap);
    // VSwap promises RAM + swap; older configs promise the OOM guarantee.
    long double promise = promised(bc, "physpages", &Row::limit);
    promise = promise ? promise + promised(bc, "swappages", &Row::limit)
                      : promised(bc, "oomguarpages", &Row::barrier);
    u.memswap_commit = ratio(promise * page, memswap);
    u.alloc_util = ratio(figure(bc, "privvmpages", &Row::held) * page, memswap);
    u.alloc_commit = ratio(promised(bc, "privvmpages", &Row::barrier) * page, memswap);
    u.alloc_limit = ratio(promised(bc, "privvmpages", &Row::limit) * page, memswap);
    return u;
}

std::vector<CalcRow> calc(const Beancounter &bc, const HostMemory &host, std::uint64_t max_tasks) {
    const MemoryUse u = memory_use(bc, host);
    std::vector<CalcRow> rows = {
        {"Low Mem", u.lowmem_util, u.lowmem_commit, u.lowmem_commit},
        {"Total RAM", u.ram_util, 0, 0},
        {"Mem + Swap", u.memswap_util, u.memswap_commit, u.memswap_commit},
        {"Alloc. Mem", u.alloc_util, u.alloc_commit, u.alloc_limit},
        {"Num. Proc", ratio(figure(bc, "numproc", &Row::held), max_tasks),
         ratio(promised(bc, "numproc", &Row::barrier), max_tasks),
         ratio(promised(bc, "numproc", &Row::limit), max_tasks)},
    };
    CalcRow memory{"Memory", 0, 0, 0};
    for (std::size_t i = 0; i < 4; ++i) {
        memory.current = std::max(memory.current, rows[i].current);
        memory.promised = std::max(memory.promised, rows[i].promised);
        memory.max = std::max(memory.max, rows[i].max);
    }
    rows.insert(rows.begin(), memory);
    for (CalcRow &row : rows) {
        row.current *= 100;
        row.promised *= 100;
        row.max *= 100;
    }
    return rows;
}

std::vector<std::pair<std::string, std::string>> split(const SplitInput &in) {
    const std::uint64_t n = std::max(1U, in.containers);
    const std::uint64_t ram = in.host.ram / n;
    const std::uint64_t swap = in.swap_bytes ? *in.swap_bytes : in.host.swap / n;
    // Processes: a share of the pid space, at most what 2 MiB of RAM each allows.
    const std::uint64_t procs =
        std::clamp<std::uint64_t>(std::min(in.max_tasks / n, ram / (2 << 20)), 16, 65536);
    const std::uint64_t socks = procs * 2;
    const std::uint64_t files = procs * 32;
    // Socket buffers: a 256 KiB base, plus the 2.5 KiB per socket that the
    // limit must stay above the barrier (vzcfgvalidate's rule).
    const std::uint64_t sockbuf = std::max<std::uint64_t>(ram / 64, 256 << 10);
    const std::uint64_t sockgap = socks * 2560;
    const std::uint64_t dcache = std::max<std::uint64_t>(ram / 32, 1 << 20);
    const std::uint64_t dcache_limit = dcache + dcache / 10;
    const std::uint64_t kmem = procs * (40 << 10) + dcache_limit + ram / 16;
    auto pair = [](std::uint64_t bar, std::uint64_t lim) { return format_value({bar, lim}); };
    const std::uint64_t pages = ram / kPageSize, swap_pages = swap / kPageSize;
    return {
        {"PHYSPAGES", pair(0, pages)},
        {"SWAPPAGES", pair(0, swap_pages)},
        {"KMEMSIZE", pair(kmem, kmem + kmem / 10)},
        {"LOCKEDPAGES", pair(pages / 8, pages / 8)},
        {"PRIVVMPAGES", pair(pages + swap_pages, pages + swap_pages + pages / 16)},
        {"SHMPAGES", pair(pages / 4, pages / 4)},
        {"NUMPROC", pair(procs, procs)},
        {"VMGUARPAGES", pair(pages, kUnlimited)},
        {"OOMGUARPAGES", pair(pages, kUnlimited)},
        {"NUMTCPSOCK", pair(socks, socks)},
        {"NUMFLOCK", pair(procs * 4, procs * 4 + procs / 2)},
        {"NUMPTY", pair(std::min<std::uint64_t>(procs / 8 + 8, 256),
                        std::min<std::uint64_t>(procs / 8 + 8, 256))},
        {"NUMSIGINFO", pair(procs * 4, procs * 4)},
        {"TCPSNDBUF", pair(sockbuf, sockbuf + sockgap)},
        {"TCPRCVBUF", pair(sockbuf, sockbuf + sockgap)},
        {"OTHERSOCKBUF", pair(sockbuf, sockbuf + sockgap)},
        {"DGRAMRCVBUF", pair(sockbuf, sockbuf)},
        {"NUMOTHERSOCK", pair(socks, socks)},
        {"DCACHESIZE", pair(dcache, dcache_limit)},
        {"NUMFILE", pair(files, files)},
        {"NUMIPTENT", pair(128, 128)},
    };
}

std::string_view severity_name(Severity severity) {
    switch (severity) {
    case Severity::Error:
        return "Error";
    case Severity::Warning:
        return "Warning";
    case Severity::Recommendation:
        return "Recommendation";
    }
    return "";
}

namespace {

struct Limits {
    std::map<std::string, Value, std::less<>> values; // by config key
    std::optional<Value> get(std::string_view key) const {
        auto it = values.find(key);
        return it != values.end() ? std::optional(it->second) : std::nullopt;
    }
};

void rule_min_gap(const Limits &l, std::vector<Finding> &out, std::string_view buf,
                  std::string_view count, std::uint64_t per_item) {
    auto b = l.get(buf);
    auto c = l.get(count);
    if (!b || !c || unlimited(b->limit) || unlimited(c->barrier))
        return;
    const std::uint64_t need = c->barrier * per_item;
    if (b->limit - b->barrier >= need)
        return;
    out.push_back({Severity::Error,
                   std::string(buf) + ".limit - " + std::string(buf) +
                       ".barrier should be >= " + std::to_string(per_item) + " * " +
                       std::string(count) + ".barrier (" + std::to_string(need) + ")",
                   std::pair(std::string(buf), format_value({b->barrier, b->barrier + need}))});
}

// OpenVZ's rule: the kernel memory of the processes a container averages
// (AVNUMPROC's barrier, half of NUMPROC's without it), 40K each, and the
// dentry cache.
void rule_kmemsize(const Limits &l, std::optional<std::uint64_t> avnumproc,
                   std::vector<Finding> &out) {
    auto kmem = l.get("KMEMSIZE");
    auto procs = l.get("NUMPROC");
    if (!kmem || !procs || unlimited(kmem->barrier) || unlimited(procs->barrier))
        return;
    const std::uint64_t average = avnumproc.value_or(procs->barrier / 2);
    auto dcache = l.get("DCACHESIZE");
    const std::uint64_t dc = dcache && !unlimited(dcache->limit) ? dcache->limit : 0;
    const std::uint64_t need = average * (40 << 10) + dc;
    if (kmem->barrier >= need)
        return;
    out.push_back({Severity::Error,
                   std::string("KMEMSIZE.barrier should be >= 40K * ") +
                       (avnumproc ? "AVNUMPROC.barrier" : "NUMPROC.barrier / 2") +
                       " + DCACHESIZE.limit (" + std::to_string(need) + ")",
                   std::pair(std::string("KMEMSIZE"), format_value({need, need + need / 10}))});
}

void rule_vswap(const Limits &l, std::vector<Finding> &out) {
    auto phys = l.get("PHYSPAGES");
    if (!phys || unlimited(phys->limit))
        return;
    if (phys->barrier != 0)
        out.push_back({Severity::Warning, "PHYSPAGES.barrier is ignored in VSwap mode: set it to 0",
                       std::pair(std::string("PHYSPAGES"), format_value({0, phys->limit}))});
    if (!l.get("SWAPPAGES"))
        out.push_back(
            {Severity::Warning, "SWAPPAGES is not set: the container gets no swap", std::nullopt});
    auto locked = l.get("LOCKEDPAGES");
    if (locked && !unlimited(locked->barrier) && locked->barrier > phys->limit)
        out.push_back(
            {Severity::Warning, "LOCKEDPAGES.barrier is above the RAM (PHYSPAGES.limit)",
             std::pair(std::string("LOCKEDPAGES"), format_value({phys->limit, phys->limit}))});
}

void rule_guarantees(const Limits &l, std::vector<Finding> &out) {
    auto priv = l.get("PRIVVMPAGES");
    auto guar = l.get("VMGUARPAGES");
    if (priv && guar && !unlimited(guar->barrier) && priv->barrier < guar->barrier)
        out.push_back(
            {Severity::Warning,
             "PRIVVMPAGES.barrier is below VMGUARPAGES.barrier: the guarantee cannot be met",
             std::nullopt});
    auto files = l.get("NUMFILE");
    auto procs = l.get("NUMPROC");
    if (files && procs && !unlimited(procs->barrier) && files->barrier < procs->barrier * 8)
        out.push_back({Severity::Recommendation,
                       "NUMFILE.barrier should be at least 8 * NUMPROC.barrier (" +
                           std::to_string(procs->barrier * 8) + ")",
                       std::pair(std::string("NUMFILE"),
                                 format_value({procs->barrier * 8, procs->barrier * 8}))});
}

} // namespace

std::vector<Finding> validate(const ConfigLookup &get) {
    std::vector<Finding> out;
    Limits l;
    for (const Resource &res : resources()) {
        auto raw = get(res.key);
        if (!raw)
            continue;
        const std::string_view text = trim(*raw);
        const auto colon = text.find(':');
        auto bar = parse_number(text.substr(0, colon), res.unit);
        auto lim =
            colon == std::string_view::npos ? bar : parse_number(text.substr(colon + 1), res.unit);
        if (!bar || !lim) {
            out.push_back({Severity::Error, std::string(res.key) + ": cannot parse '" + *raw + "'",
                           std::nullopt});
            continue;
        }
        if (*bar > *lim) {
            out.push_back({Severity::Error,
                           std::string(res.key) + ": barrier " + std::to_string(*bar) +
                               " is above the limit " + std::to_string(*lim),
                           std::pair(std::string(res.key), format_value({*bar, *bar}))});
            lim = bar;
        }
        l.values[std::string(res.key)] = {*bar, *lim};
    }
    // AVNUMPROC is no beancounter: a planning figure, barrier[:limit].
    std::optional<std::uint64_t> avnumproc;
    if (auto raw = get("AVNUMPROC")) {
        const std::string_view text = trim(*raw);
        avnumproc = parse_number(text.substr(0, text.find(':')), Unit::Items);
        if (!avnumproc || unlimited(*avnumproc)) {
            if (!avnumproc)
                out.push_back({Severity::Error, "AVNUMPROC: cannot parse '" + *raw + "'",
                               std::nullopt});
            avnumproc.reset();
        }
    }
    rule_kmemsize(l, avnumproc, out);
    rule_min_gap(l, out, "TCPSNDBUF", "NUMTCPSOCK", 2560);
    rule_min_gap(l, out, "TCPRCVBUF", "NUMTCPSOCK", 2560);
    rule_min_gap(l, out, "OTHERSOCKBUF", "NUMOTHERSOCK", 2560);
    rule_vswap(l, out);
    rule_guarantees(l, out);
    return out;
}

} // namespace vz::ubc
