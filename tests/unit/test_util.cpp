#define BOOST_TEST_MODULE util
#include <boost/test/unit_test.hpp>

#include "vzkit/base/shared_library.h"
#include "vzkit/base/util.h"

#include <unistd.h>

#include <cstdint>
#include <string>
#include <vector>

BOOST_AUTO_TEST_CASE(parse_number_takes_the_whole_text) {
    BOOST_TEST(vz::parse_number<std::uint64_t>("0").value() == 0u);
    BOOST_TEST(vz::parse_number<std::uint64_t>("18446744073709551615").value() ==
               18446744073709551615u);
    BOOST_TEST(!vz::parse_number<std::uint64_t>("18446744073709551616"));
    BOOST_TEST(!vz::parse_number<std::uint64_t>(""));
    BOOST_TEST(!vz::parse_number<std::uint64_t>(" 1"));
    BOOST_TEST(!vz::parse_number<std::uint64_t>("1 "));
    BOOST_TEST(!vz::parse_number<std::uint64_t>("1\n"));
    BOOST_TEST(!vz::parse_number<std::uint64_t>("12x"));
    BOOST_TEST(!vz::parse_number<std::uint64_t>("0x10"));
    BOOST_TEST(vz::parse_number<unsigned>("010").value() == 10u);
}

BOOST_AUTO_TEST_CASE(parse_number_signs) {
    BOOST_TEST(!vz::parse_number<std::uint64_t>("-1"));
    BOOST_TEST(!vz::parse_number<std::uint64_t>("-0"));
    BOOST_TEST(!vz::parse_number<std::uint64_t>("+1"));
    BOOST_TEST(vz::parse_number<std::int64_t>("-5").value() == -5);
    BOOST_TEST(!vz::parse_number<std::int64_t>("+5"));
    BOOST_TEST(!vz::parse_number<std::int64_t>("-"));
    BOOST_TEST(!vz::parse_number<int>("2147483648"));
    BOOST_TEST(vz::parse_number<std::uint32_t>("4294967295").value() == 4294967295u);
    BOOST_TEST(!vz::parse_number<std::uint32_t>("4294967296"));
}

BOOST_AUTO_TEST_CASE(parse_number_floating) {
    BOOST_TEST(vz::parse_number<double>("2.5").value() == 2.5);
    BOOST_TEST(vz::parse_number<double>("350735.47").value() == 350735.47);
    BOOST_TEST(!vz::parse_number<double>("2.5 "));
    BOOST_TEST(!vz::parse_number<double>(""));
}

BOOST_AUTO_TEST_CASE(unescape_mount_path_decodes_octal) {
    BOOST_TEST(vz::unescape_mount_path("/a\\040b\\011c\\012d\\134e") == "/a b\tc\nd\\e");
    BOOST_TEST(vz::unescape_mount_path("/plain") == "/plain");
    // Not an escape: left as the kernel wrote it.
    BOOST_TEST(vz::unescape_mount_path("/a\\09") == "/a\\09");
    BOOST_TEST(vz::unescape_mount_path("/a\\") == "/a\\");
}

BOOST_AUTO_TEST_CASE(parse_mountinfo_fields) {
    const std::string text =
        "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
        "35 22 0:30 / /sys/fs/cgroup/memory rw,nosuid shared:12 master:3 - cgroup cgroup "
        "rw,memory\n"
        "36 22 0:31 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw,nsdelegate\n"
        "40 22 8:1 /srv/a\\040dir /vz/root/1\\040x rw - ext4 /dev/sda1 rw\n"
        "garbage line\n"
        "41 22 8:1 / /short\n";
    const auto mounts = vz::parse_mountinfo(text);
    BOOST_REQUIRE(mounts.size() == 4u);
    BOOST_TEST(mounts[0].mount_point == "/");
    BOOST_TEST(mounts[0].fs_type == "ext4");
    BOOST_TEST(mounts[0].source == "/dev/sda1");
    BOOST_TEST(mounts[0].major_minor == "8:1");
    BOOST_TEST(mounts[1].mount_point == "/sys/fs/cgroup/memory");
    BOOST_TEST(mounts[1].fs_type == "cgroup");
    BOOST_TEST(mounts[1].super_options == "rw,memory");
    BOOST_TEST(mounts[2].fs_type == "cgroup2");
    BOOST_TEST(mounts[2].major_minor == "0:31");
    BOOST_TEST(mounts[3].root == "/srv/a dir");
    BOOST_TEST(mounts[3].mount_point == "/vz/root/1 x");
    // In a peer group: "shared:N" among the optional fields, wherever it is.
    BOOST_TEST(mounts[0].shared);
    BOOST_TEST(mounts[1].shared);
    BOOST_TEST(!mounts[2].shared);
    BOOST_TEST(!vz::parse_mountinfo("50 22 0:40 / /m rw master:3 - tmpfs t rw\n").front().shared);
}

BOOST_AUTO_TEST_CASE(parse_mountinfo_of_this_process) {
    const auto mounts = vz::parse_mountinfo(vz::read_file("/proc/self/mountinfo").value_or(""));
    BOOST_TEST(!mounts.empty());
    for (const auto &mount : mounts) {
        BOOST_TEST(mount.mount_point.starts_with("/"));
        BOOST_TEST(!mount.fs_type.empty());
    }
}

BOOST_AUTO_TEST_CASE(cstring_array_is_null_terminated) {
    std::vector<std::string> items = {"/bin/sh", "-c", "echo hi"};
    vz::CStringArray array(items);
    items[0] = "changed"; // the array holds its own copy
    BOOST_REQUIRE(array.size() == 3u);
    BOOST_TEST(std::string(array.data()[0]) == "/bin/sh");
    BOOST_TEST(std::string(array.data()[2]) == "echo hi");
    BOOST_TEST(array.data()[3] == nullptr);

    vz::CStringArray moved(std::move(array)); // short strings stay where they were
    BOOST_TEST(std::string(moved.data()[1]) == "-c");
    BOOST_TEST(moved.data()[3] == nullptr);

    const vz::CStringArray empty(std::vector<std::string>{});
    BOOST_TEST(empty.size() == 0u);
    BOOST_TEST(empty.data()[0] == nullptr);
}

// Shared-library builds load libarchive this way (docs/packaging.md): a missing
// library or function is an Error with the caller's exit code and says what.
BOOST_AUTO_TEST_CASE(shared_library_binds_by_prototype_and_fails_with_the_code) {
    const vz::SharedLibrary libc("libc.so.6", vz::VZ_SYSTEM_ERROR, "libc");
    decltype(&::getpid) own_pid = nullptr;
    libc.bind(own_pid, "getpid");
    BOOST_TEST(own_pid() == ::getpid());
    try {
        libc.bind(own_pid, "vzkit_no_such_function");
        BOOST_FAIL("a missing function was bound");
    } catch (const vz::Error &e) {
        BOOST_TEST(e.code() == vz::VZ_SYSTEM_ERROR);
        BOOST_TEST(std::string(e.what()).find("vzkit_no_such_function") != std::string::npos);
    }
    try {
        vz::SharedLibrary("libvzkit-missing.so.0", vz::VZ_FS_NEW_VE_PRVT, "Unpacking needs it");
        BOOST_FAIL("a missing library was loaded");
    } catch (const vz::Error &e) {
        BOOST_TEST(e.code() == vz::VZ_FS_NEW_VE_PRVT);
        BOOST_TEST(std::string(e.what()).starts_with("Unpacking needs it: "));
        BOOST_TEST(std::string(e.what()).find("libvzkit-missing.so.0") != std::string::npos);
    }
}
