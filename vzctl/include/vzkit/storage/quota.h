// A container's first-level disk quota, as vzctl drives it: DISKSPACE,
// DISKINODES, QUOTATIME and DISK_QUOTA read from the config, turned into
// vzquota's operations (vzkit/quota/quota.h) on the private area, and its
// errors given vzctl's codes (60 on, 61 init, 62 set, 66 off). A layout that
// keeps its private area as a directory tree (simfs) calls these.
#pragma once

#include "vzkit/base/ct_config.h"
#include "vzkit/quota/quota.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>
#include <utility>

namespace vz {

// "S[:H]": DISKSPACE in KB, where a K, M, G or T suffix (fractions allowed,
// "2.2G") means bytes and is divided by 1024; DISKINODES plain counts. One
// value is both limits. nullopt when it does not parse.
std::optional<std::pair<std::uint64_t, std::uint64_t>> parse_diskspace(std::string_view text);
std::optional<std::pair<std::uint64_t, std::uint64_t>> parse_diskinodes(std::string_view text);

// The config's quota limits (unset keys: no limit).
quota::Limits disk_quota_limits(const CtConfig &config);

// Whether the container has a disk quota: DISK_QUOTA is not "no" and
// DISKSPACE or DISKINODES is set.
bool disk_quota_wanted(const CtConfig &config);

// create: the quota set up on the empty tree the template is unpacked into,
// so that the unpack is counted and limited; after the tree is renamed into
// place, disk_quota_moved() points the quota at it. Error(VZ_DQ_INIT).
void disk_quota_init(const CtConfig &config, const std::filesystem::path &tree);
void disk_quota_moved(const CtConfig &config);
// mount: on (made first when there is none), the config's limits applied.
// Error(VZ_DQ_ON). QUOTAUGIDLIMIT > 0 is refused (Error(VZ_ERROR_SET_USER_QUOTA)):
// second-level quota needs a file system of the container's own.
void disk_quota_on(const CtConfig &config);
// umount: off; a quota that is not on is fine. Error(VZ_DQ_OFF).
void disk_quota_off(const CtConfig &config);
// destroy: off and dropped; none is fine.
void disk_quota_drop(const CtConfig &config);
// set on a running container: the config's limits now (the quota made and
// turned on when the container had none). Error(VZ_DQ_SET).
void disk_quota_set(const CtConfig &config);

// vzctl quotainit / quotaon / quotaoff: DISK_QUOTA=no is refused with
// "Disk quota is not enabled" (61, 60, 66), no DISKSPACE with 63.
void quotainit_ct(const CtConfig &config);
void quotaon_ct(const CtConfig &config);
void quotaoff_ct(const CtConfig &config);

// vzlist's figures: usage from the kernel when the quota is on, else from
// the quota file; nullopt without a quota file.
std::optional<quota::Report> disk_quota_report(Ctid ctid);

} // namespace vz
