// vzctl's side of the disk quota (vzkit/storage/quota.h): OpenVZ's grammar of
// DISKSPACE and DISKINODES, the limits a config gives, and when a container
// has a quota at all.
#define BOOST_TEST_MODULE storage_quota
#include "conf_dir.h"

#include "vzkit/storage/quota.h"

#include <boost/test/unit_test.hpp>

using Pair = std::pair<std::uint64_t, std::uint64_t>;

BOOST_AUTO_TEST_CASE(diskspace_is_kilobytes_and_suffixes_are_bytes) {
    BOOST_TEST((vz::parse_diskspace("1000:1100") == Pair{1000, 1100}));
    BOOST_TEST((vz::parse_diskspace("1000") == Pair{1000, 1000}));
    BOOST_TEST((vz::parse_diskspace("100M:110M") == Pair{102400, 112640}));
    BOOST_TEST((vz::parse_diskspace("2G:2.2G") == Pair{2097152, 2306867})); // OpenVZ's sample
    BOOST_TEST((vz::parse_diskspace("1k:1T") == Pair{1, 1073741824}));
    BOOST_TEST((vz::parse_diskspace("unlimited") == Pair{0, 0}));
    for (const char *bad : {"", "10X", "1.5", "-1", "1:", ":1", "1M:2M:3M", "G"})
        BOOST_TEST(!vz::parse_diskspace(bad).has_value(), bad);
}

BOOST_AUTO_TEST_CASE(diskinodes_are_plain_counts) {
    BOOST_TEST((vz::parse_diskinodes("131072:144179") == Pair{131072, 144179}));
    BOOST_TEST((vz::parse_diskinodes("2000") == Pair{2000, 2000}));
    for (const char *bad : {"", "2k", "1.5", "x:1"})
        BOOST_TEST(!vz::parse_diskinodes(bad).has_value(), bad);
}

BOOST_AUTO_TEST_CASE(limits_from_the_config) {
    vztest::ConfDir conf("vzkit-quota", "DISK_QUOTA=yes\nQUOTATIME=600\n");
    conf.write_ct_conf(101, "DISKSPACE=\"2G:2.2G\"\nDISKINODES=\"200000:220000\"\n");
    const auto config = vz::CtConfig::load(101);
    const vz::quota::Limits limits = vz::disk_quota_limits(config);
    BOOST_TEST(limits.project.block_soft == 2097152u);
    BOOST_TEST(limits.project.block_hard == 2306867u);
    BOOST_TEST(limits.project.inode_soft == 200000u);
    BOOST_TEST(limits.project.inode_hard == 220000u);
    BOOST_TEST(limits.block_grace == 600u);
    BOOST_TEST(limits.inode_grace == 600u);
    BOOST_TEST(vz::disk_quota_wanted(config));
}

BOOST_AUTO_TEST_CASE(a_quota_needs_disk_quota_on_and_a_limit) {
    vztest::ConfDir conf("vzkit-quota", "DISK_QUOTA=yes\n");
    conf.write_ct_conf(101, "DISKSPACE=\"100M\"\n");
    conf.write_ct_conf(102, "DISKSPACE=\"100M\"\nDISK_QUOTA=no\n");
    conf.write_ct_conf(103, "HOSTNAME=x\n");
    BOOST_TEST(vz::disk_quota_wanted(vz::CtConfig::load(101)));
    BOOST_TEST(!vz::disk_quota_wanted(vz::CtConfig::load(102)));
    BOOST_TEST(!vz::disk_quota_wanted(vz::CtConfig::load(103)));
}

BOOST_AUTO_TEST_CASE(a_bad_value_in_the_config_is_named) {
    vztest::ConfDir conf("vzkit-quota");
    conf.write_ct_conf(101, "DISKSPACE=\"lots\"\n");
    BOOST_TEST(vztest::code_of([] { vz::disk_quota_limits(vz::CtConfig::load(101)); }) ==
               vz::VZ_INVALID_PARAMETER_VALUE);
}

BOOST_AUTO_TEST_CASE(quota_commands_refuse_when_disk_quota_is_off) {
    vztest::ConfDir conf("vzkit-quota", "DISK_QUOTA=no\n");
    conf.write_ct_conf(101, "DISKSPACE=\"100M\"\n");
    const auto config = vz::CtConfig::load(101);
    BOOST_TEST(vztest::code_of([&] { vz::quotaon_ct(config); }) == vz::VZ_DQ_ON);
    BOOST_TEST(vztest::code_of([&] { vz::quotaoff_ct(config); }) == vz::VZ_DQ_OFF);
    BOOST_TEST(vztest::code_of([&] { vz::quotainit_ct(config); }) == vz::VZ_DQ_INIT);
}

BOOST_AUTO_TEST_CASE(quotainit_needs_diskspace) {
    vztest::ConfDir conf("vzkit-quota", "DISK_QUOTA=yes\n");
    conf.write_ct_conf(101, "HOSTNAME=x\n");
    BOOST_TEST(vztest::code_of([] { vz::quotainit_ct(vz::CtConfig::load(101)); }) ==
               vz::VZ_DISKSPACE_NOT_SET);
}
