// Cgroups alone: start and set already write every limit into the
// container's cgroup (cgroup_limits_from_config), so there is nothing more to
// register, change or forget, and no beancounter to read.
#include "vzkit/backend/backend.h"

namespace vz {
namespace {

void attach(const CtConfig &, pid_t, const Cgroup &) {}
void apply_limits(const CtConfig &, const std::vector<std::string> &) {}
void detach(Ctid) {}
std::optional<ubc::Beancounter> read_counters(Ctid) {
    return std::nullopt;
}
bool allow_ugid_quota(Ctid, const std::filesystem::path &) {
    return false;
}
bool continue_counters(Ctid, const ubc::Beancounter &) {
    return false;
}

} // namespace

const Backend kCgroupBackend = {
    .name = "cgroup",
    .attach = attach,
    .apply_limits = apply_limits,
    .detach = detach,
    .read_counters = read_counters,
    .allow_ugid_quota = allow_ugid_quota,
    .continue_counters = continue_counters,
    .accounts_every_ubc = false,
    .answers_cpu_count = false,
};

} // namespace vz
