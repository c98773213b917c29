#include "vzkit/storage/quota.h"

#include "vzkit/base/error.h"
#include "vzkit/base/step.h"
#include "vzkit/base/util.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>

namespace vz {
namespace {

struct Suffix {
    char letter;
    double kilobytes;
};
constexpr std::array<Suffix, 4> kSuffixes = {
    {{'K', 1.0}, {'M', 1024.0}, {'G', 1024.0 * 1024}, {'T', 1024.0 * 1024 * 1024}}};

std::optional<std::uint64_t> parse_kilobytes(std::string_view text) {
    if (text == "unlimited")
        return 0;
    if (text.empty())
        return std::nullopt;
    const char last = static_cast<char>(std::toupper(static_cast<unsigned char>(text.back())));
    const auto suffix = std::ranges::find(kSuffixes, last, &Suffix::letter);
    if (suffix == kSuffixes.end())
        return parse_number<std::uint64_t>(text);
    const auto count = parse_number<double>(text.substr(0, text.size() - 1));
    if (!count || !(*count >= 0) || *count * suffix->kilobytes > 9.2e18)
        return std::nullopt;
    return static_cast<std::uint64_t>(std::llround(*count * suffix->kilobytes));
}

std::optional<std::uint64_t> parse_count(std::string_view text) {
    return text == "unlimited" ? std::optional<std::uint64_t>(0)
                               : parse_number<std::uint64_t>(text);
}

std::optional<std::pair<std::uint64_t, std::uint64_t>>
parse_pair(std::string_view text, std::optional<std::uint64_t> (*one)(std::string_view)) {
    const auto colon = text.find(':');
    const auto soft = one(text.substr(0, colon));
    const auto hard = colon == std::string_view::npos ? soft : one(text.substr(colon + 1));
    if (!soft || !hard)
        return std::nullopt;
    return std::pair(*soft, *hard);
}

// A quota error in vzctl's words: the quota library's message, vzctl's code.
// A file system without project quota gets the way out named too.
template <class F> auto with_code(int code, F &&f) {
    try {
        return f();
    } catch (const Error &e) {
        const std::string hint = e.code() == quota::kExitKernel
                                     ? "; DISK_QUOTA=no runs containers without disk quota"
                                     : "";
        throw Error(code, e.what() + hint);
    }
}

std::pair<std::uint64_t, std::uint64_t> config_pair(const CtConfig &config, std::string_view key,
                                                    bool kilobytes) {
    const auto text = config.get(key);
    if (!text || text->empty())
        return {0, 0};
    const auto pair = kilobytes ? parse_diskspace(*text) : parse_diskinodes(*text);
    if (!pair)
        throw Error(VZ_INVALID_PARAMETER_VALUE,
                    "Invalid value of " + std::string(key) + " in the config: " + *text);
    return *pair;
}

quota::LimitChanges all_of(const quota::Limits &l) {
    return {l.project.block_soft, l.project.block_hard, l.project.inode_soft,
            l.project.inode_hard, l.block_grace,        l.inode_grace,
            l.ugid_limit};
}

// On with the config's limits, the quota made first when there is none.
void quota_up(const CtConfig &config) {
    const quota::Limits limits = disk_quota_limits(config);
    if (!quota::quota_file_exists(config.ctid())) {
        quota::init(config.ctid(), config.ve_private(), limits);
        step("quota.initialized");
    }
    try {
        quota::on(config.ctid(), config.ve_private(), all_of(limits), false);
    } catch (const Error &e) {
        if (e.code() != quota::kExitRunning)
            throw;
        quota::setlimit(config.ctid(), all_of(limits));
    }
}

} // namespace

std::optional<std::pair<std::uint64_t, std::uint64_t>> parse_diskspace(std::string_view text) {
    return parse_pair(text, parse_kilobytes);
}

std::optional<std::pair<std::uint64_t, std::uint64_t>> parse_diskinodes(std::string_view text) {
    return parse_pair(text, parse_count);
}

quota::Limits disk_quota_limits(const CtConfig &config) {
    quota::Limits limits;
    std::tie(limits.project.block_soft, limits.project.block_hard) =
        config_pair(config, "DISKSPACE", true);
    std::tie(limits.project.inode_soft, limits.project.inode_hard) =
        config_pair(config, "DISKINODES", false);
    const auto grace = parse_number<std::uint64_t>(config.get_or("QUOTATIME", "0"));
    if (!grace)
        throw Error(VZ_INVALID_PARAMETER_VALUE,
                    "Invalid value of QUOTATIME in the config: " + config.get_or("QUOTATIME", ""));
    limits.block_grace = limits.inode_grace = *grace;
    return limits;
}

bool disk_quota_wanted(const CtConfig &config) {
    if (to_lower(config.get_or("DISK_QUOTA", "yes")) == "no")
        return false;
    return !config.get_or("DISKSPACE", "").empty() || !config.get_or("DISKINODES", "").empty();
}

void disk_quota_init(const CtConfig &config, const std::filesystem::path &tree) {
    with_code(VZ_DQ_INIT, [&] {
        const quota::Limits limits = disk_quota_limits(config);
        quota::init(config.ctid(), tree, limits);
        quota::on(config.ctid(), tree, {}, false);
    });
}

void disk_quota_moved(const CtConfig &config) {
    with_code(VZ_DQ_INIT, [&] {
        quota::off(config.ctid(), true);
        quota::on(config.ctid(), config.ve_private(), {}, false);
        quota::off(config.ctid(), false);
    });
}

void disk_quota_on(const CtConfig &config) {
    const auto ugid = parse_number<std::uint64_t>(config.get_or("QUOTAUGIDLIMIT", "0"));
    if (ugid && *ugid > 0)
        throw Error(VZ_ERROR_SET_USER_QUOTA,
                    "QUOTAUGIDLIMIT=" + std::to_string(*ugid) +
                        ": per-user quota inside the container needs a file system of its own, "
                        "which the " +
                        config.get_or("VE_LAYOUT", "simfs") +
                        " layout does not give (set QUOTAUGIDLIMIT=0)");
    with_code(VZ_DQ_ON, [&] { quota_up(config); });
}

void disk_quota_off(const CtConfig &config) {
    if (!quota::quota_file_exists(config.ctid()))
        return;
    with_code(VZ_DQ_OFF, [&] {
        try {
            quota::off(config.ctid(), false);
        } catch (const Error &e) {
            if (e.code() != quota::kExitNotRunning)
                throw;
        }
    });
}

void disk_quota_drop(const CtConfig &config) {
    if (!quota::quota_file_exists(config.ctid()))
        return;
    with_code(VZ_DQ_OFF, [&] {
        quota::off(config.ctid(), true);
        quota::drop(config.ctid(), true);
    });
}

void disk_quota_set(const CtConfig &config) {
    with_code(VZ_DQ_SET, [&] { quota_up(config); });
}

namespace {

void require_enabled(const CtConfig &config, int code) {
    if (to_lower(config.get_or("DISK_QUOTA", "yes")) == "no")
        throw Error(code, "Disk quota is not enabled");
    if (config.get_or("DISKSPACE", "").empty() && code != VZ_DQ_OFF)
        throw Error(VZ_DISKSPACE_NOT_SET, "DISKSPACE is not set: vzctl set " +
                                              std::to_string(config.ctid()) +
                                              " --diskspace <soft>[:<hard>] --save");
}

} // namespace

void quotainit_ct(const CtConfig &config) {
    require_enabled(config, VZ_DQ_INIT);
    with_code(VZ_DQ_INIT,
              [&] { quota::init(config.ctid(), config.ve_private(), disk_quota_limits(config)); });
}

void quotaon_ct(const CtConfig &config) {
    require_enabled(config, VZ_DQ_ON);
    disk_quota_on(config);
}

void quotaoff_ct(const CtConfig &config) {
    require_enabled(config, VZ_DQ_OFF);
    with_code(VZ_DQ_OFF, [&] { quota::off(config.ctid(), false); });
}

std::optional<quota::Report> disk_quota_report(Ctid ctid) {
    if (!quota::quota_file_exists(ctid))
        return std::nullopt;
    try {
        const quota::QuotaFile file = quota::read_quota_file(ctid);
        return file.on ? quota::stat(ctid) : quota::show(ctid);
    } catch (const Error &) {
        return std::nullopt; // a broken or vanishing quota shows as unknown
    }
}

} // namespace vz
