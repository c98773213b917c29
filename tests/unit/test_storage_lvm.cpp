// The lvm layout's pure parts (vzkit/storage/lvm.h, lvm2.h): LVM's JSON
// report as liblvm2cmd's log callback hands it over, LVM names, snapshot ids,
// the volume's size from DISKSPACE, and what a config without the VG says;
// and vzkit-lvm, the helper that runs the commands (lvm2_wire.h), with
// commands that need no device-mapper.
#define BOOST_TEST_MODULE storage_lvm
#include "conf_dir.h"

#include "vzkit/base/error.h"
#include "vzkit/storage/lvm.h"
#include "vzkit/storage/lvm2.h"
#include "vzkit/storage/lvm2_wire.h"

#include <boost/test/unit_test.hpp>

#include <csignal>
#include <fstream>
#include <iostream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

// What `lvs --reportformat json --units b --nosuffix -o ...` prints (LVM 2.03.16).
constexpr const char *kReport = R"({
      "report": [
          {
              "lv": [
                  {"lv_name":"ct101", "lv_attr":"Vwi-aotz--", "pool_lv":"pool", "origin":"", "lv_size":"2365587456", "data_percent":"4.52"},
                  {"lv_name":"ct101-snap-0a1b", "lv_attr":"Vwi---tz-k", "pool_lv":"pool", "origin":"ct101", "lv_size":"2365587456", "data_percent":""},
                  {"lv_name":"pool", "lv_attr":"twi-aotz--", "pool_lv":"", "origin":"", "lv_size":"838860800", "data_percent":"12.50"}
              ]
          }
      ]
  }
)";

BOOST_AUTO_TEST_CASE(the_json_report_gives_each_volume) {
    const auto list = vz::lvm::parse_lvs_report(kReport);
    BOOST_REQUIRE_EQUAL(list.size(), 3U);
    BOOST_TEST(list[0].name == "ct101");
    BOOST_TEST(list[0].size == 2365587456ULL);
    BOOST_TEST(list[0].pool == "pool");
    BOOST_TEST(list[0].active());
    BOOST_TEST(!list[0].thin_pool());
    BOOST_TEST(list[0].data_percent == 4.52);
    BOOST_TEST(list[1].origin == "ct101");
    BOOST_TEST(!list[1].active()); // a snapshot skips activation
    BOOST_TEST(list[1].data_percent == 0.0);
    BOOST_TEST(list[2].thin_pool());
    BOOST_TEST(vz::lvm::parse_lvs_report(R"({"report":[{"lv":[]}]})").empty());
}

BOOST_AUTO_TEST_CASE(a_malformed_report_is_an_error) {
    BOOST_CHECK_THROW(vz::lvm::parse_lvs_report("{\"report\": [ {"), vz::Error);
}

BOOST_AUTO_TEST_CASE(lvm_names) {
    for (const char *good : {"vg0", "ct101-snap-0a1b", "a+b_c.d", "x"})
        BOOST_TEST(vz::lvm::valid_name(good), good);
    for (const char *bad : {"", "-vg", ".", "..", "a b", "a/b", "a\"b", "ä"})
        BOOST_TEST(!vz::lvm::valid_name(bad), bad);
    BOOST_TEST(!vz::lvm::valid_name(std::string(128, 'a')));
}

BOOST_AUTO_TEST_CASE(a_word_with_white_space_never_reaches_lvm2_run) {
    // lvm2_run splits its command line at white space: such a word would
    // become two arguments.
    BOOST_CHECK_THROW(vz::lvm::run({"lvs", "a b"}), vz::Error);
    BOOST_CHECK_THROW(vz::lvm::run({"lvs", ""}), vz::Error);
}

BOOST_AUTO_TEST_CASE(snapshot_ids_are_uuids_with_or_without_braces) {
    using vz::lvm_layout::normalise_uuid;
    BOOST_TEST(normalise_uuid("0123ABCD-89ab-cdef-0123-456789abcdef").value() ==
               "{0123abcd-89ab-cdef-0123-456789abcdef}");
    BOOST_TEST(normalise_uuid("{0123abcd-89ab-cdef-0123-456789abcdef}").value() ==
               "{0123abcd-89ab-cdef-0123-456789abcdef}");
    for (const char *bad :
         {"", "nonsense", "0123abcd89abcdef0123456789abcdef",
          "0123abcd-89ab-cdef-0123-456789abcdeg", "{0123abcd-89ab-cdef-0123-456789abcdef"})
        BOOST_TEST(!normalise_uuid(bad).has_value(), bad);
    const auto a = vz::lvm_layout::new_uuid(), b = vz::lvm_layout::new_uuid();
    BOOST_TEST(a != b);
    BOOST_TEST(normalise_uuid(a).value() == a);
    BOOST_TEST(a[15] == '4'); // version 4
}

BOOST_AUTO_TEST_CASE(the_volume_is_diskspace_hard_limit_rounded_to_a_mib) {
    vztest::ConfDir dir("lvm-size");
    vz::CtConfig config = vz::CtConfig::load(101);
    config.set_override("DISKSPACE", "2G:2.2G");
    BOOST_TEST(vz::lvm_layout::wanted_size(config) == 2253ULL * 1024 * 1024);
    config.set_override("DISKSPACE", "1048576");
    BOOST_TEST(vz::lvm_layout::wanted_size(config) == 1024ULL * 1024 * 1024);
    config.set_override("DISKSPACE", "");
    try {
        vz::lvm_layout::wanted_size(config);
        BOOST_FAIL("no DISKSPACE accepted");
    } catch (const vz::Error &e) {
        BOOST_TEST(e.code() == vz::VZ_DISKSPACE_NOT_SET);
    }
}

BOOST_AUTO_TEST_CASE(names_come_from_the_config) {
    vztest::ConfDir dir("lvm-names");
    vz::CtConfig config = vz::CtConfig::load(101);
    try {
        vz::lvm_layout::names_of(config);
        BOOST_FAIL("no VE_LVM_VG accepted");
    } catch (const vz::Error &e) {
        BOOST_TEST(e.code() == vz::VZ_CREATE_IMAGE);
        BOOST_TEST(std::string(e.what()).find("VE_LVM_VG is not set") != std::string::npos);
    }
    config.set_override("VE_LVM_VG", "vg0");
    config.set_override("VE_LVM_THINPOOL", "bad name");
    try {
        vz::lvm_layout::names_of(config);
        BOOST_FAIL("a bad pool name accepted");
    } catch (const vz::Error &e) {
        BOOST_TEST(e.code() == vz::VZ_INVALID_CONFIG);
    }
    config.set_override("VE_LVM_THINPOOL", "pool");
    const auto n = vz::lvm_layout::names_of(config);
    BOOST_TEST(n.lv == "ct101");
    BOOST_TEST(n.device() == "/dev/vg0/ct101");
    BOOST_TEST(vz::lvm_layout::snapshot_lv(config, "{0123abcd-89ab-cdef-0123-456789abcdef}") ==
               "ct101-snap-0123abcd-89ab-cdef-0123-456789abcdef");
}

// liblvm2cmd reopens stdout when it is initialised from the main thread,
// closing the FILE std::cout writes through: `vzctl volume` printed nothing
// after its LVM calls when the library ran in the tool (it now runs in
// vzkit-lvm). A child runs one LVM command ("version" needs no device-mapper)
// and then prints; the parent must read it.
BOOST_AUTO_TEST_CASE(std_cout_still_prints_after_an_lvm_command) {
    int fds[2];
    BOOST_REQUIRE_EQUAL(pipe(fds), 0);
    std::cout.flush(); // not the child's to print again
    const pid_t pid = fork();
    BOOST_REQUIRE(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        vz::lvm::run({"version"});
        std::cout << "printed after lvm\n" << std::flush;
        _exit(std::cout.good() ? 0 : 1);
    }
    close(fds[1]);
    std::string got;
    char buf[256];
    for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;)
        got.append(buf, static_cast<std::size_t>(n));
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    BOOST_TEST(got == "printed after lvm\n");
    BOOST_TEST(WIFEXITED(status));
    BOOST_TEST(WEXITSTATUS(status) == 0);
}

BOOST_AUTO_TEST_CASE(reply_headers_are_three_numbers) {
    using vz::lvm::wire::parse_header;
    const std::string reply = vz::lvm::wire::reply(5, "out\n", "Cannot process volume group vg");
    BOOST_TEST(reply == "5 4 30\nout\nCannot process volume group vg");
    const auto h = parse_header("5 4 30");
    BOOST_REQUIRE(h.has_value());
    BOOST_TEST(h->code == 5);
    BOOST_TEST(h->output == 4u);
    BOOST_TEST(h->error == 30u);
    for (const char *bad :
         {"", "5", "5 4", "5 4 30 1", "5  4 30", "5 4 x", " 5 4 30", "5 4 30 ", "5 -4 30"})
        BOOST_TEST(!parse_header(bad).has_value(), bad);
}

namespace {
// The pid of this process's vzkit-lvm, or -1.
pid_t lvm_helper_pid() {
    std::ifstream children("/proc/self/task/" + std::to_string(getpid()) + "/children");
    for (pid_t pid; children >> pid;) {
        std::ifstream comm("/proc/" + std::to_string(pid) + "/comm");
        std::string name;
        if (std::getline(comm, name) && name == "vzkit-lvm")
            return pid;
    }
    return -1;
}
} // namespace

BOOST_AUTO_TEST_CASE(the_helper_answers_with_lvms_output_and_errors) {
    const auto version = vz::lvm::run({"version"});
    BOOST_TEST(version.ok);
    BOOST_TEST(version.output.find("LVM version:") != std::string::npos, version.output);
    const auto unknown = vz::lvm::run({"vzkit-no-such-command"});
    BOOST_TEST(!unknown.ok);
    BOOST_TEST(unknown.error == "no such LVM command");
    const auto missing = vz::lvm::run({"vgs", "--reportformat", "json", "vzkit-no-such-vg"});
    BOOST_TEST(!missing.ok);
    BOOST_TEST(missing.error.find("vzkit-no-such-vg") != std::string::npos, missing.error);
    BOOST_TEST(missing.output.find("\"vg\"") != std::string::npos, missing.output);
}

// One helper per process; one that died fails the command it was given and
// is started again by the next.
BOOST_AUTO_TEST_CASE(a_helper_that_died_is_started_again) {
    BOOST_REQUIRE(vz::lvm::run({"version"}).ok);
    const pid_t first = lvm_helper_pid();
    BOOST_REQUIRE(first > 0);
    BOOST_REQUIRE_EQUAL(kill(first, SIGKILL), 0);
    const auto lost = vz::lvm::run({"version"});
    BOOST_TEST(!lost.ok);
    BOOST_TEST(lost.error.find("vzkit-lvm ended") != std::string::npos, lost.error);
    BOOST_TEST(vz::lvm::run({"version"}).ok);
    const pid_t second = lvm_helper_pid();
    BOOST_TEST(second > 0);
    BOOST_TEST(second != first);
}
