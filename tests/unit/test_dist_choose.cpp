#define BOOST_TEST_MODULE dist_choose
#include <boost/test/unit_test.hpp>

#include "temp_dir.h"

#include "vzkit/base/error.h"
#include "vzkit/dist/actions.h"
#include "vzkit/dist/definition.h"

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using namespace vz::dist;

namespace {

void write(const fs::path &path, const std::string &text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
}

// A dists/ directory with two families, a legacy conf and a default.
struct Dists : vztest::TempDir {
    Dists() : vztest::TempDir("vzkit-dist") {
        write(path / "debian.yaml", R"(name: debian
ostemplates: [debian, ubuntu]
os_release: [debian, ubuntu]
actions: {SET_HOSTNAME: debian-set_hostname.sh, SET_DNS: set_dns.sh}
network:
  - {stack: ifupdown, ADD_IP: ifupdown-add_ip.sh, DEL_IP: ifupdown-del_ip.sh}
  - {stack: netplan, ADD_IP: netplan-add_ip.sh, DEL_IP: netplan-del_ip.sh}
)");
        write(path / "redhat.yaml", R"(name: redhat
ostemplates: [centos, rhel]
os_release: [rhel, fedora, centos]
actions: {SET_HOSTNAME: redhat-set_hostname.sh}
network:
  - {stack: nm-keyfile, ADD_IP: nm-keyfile-add_ip.sh, DEL_IP: nm-keyfile-del_ip.sh}
  - {stack: ifcfg, ADD_IP: ifcfg-add_ip.sh, DEL_IP: ifcfg-del_ip.sh}
)");
        write(path / "default.yaml", R"(name: default
actions: {SET_HOSTNAME: set_hostname.sh}
network:
  - {stack: ifupdown, ADD_IP: ifupdown-add_ip.sh, DEL_IP: ifupdown-del_ip.sh}
  - {stack: networkd, ADD_IP: networkd-add_ip.sh, DEL_IP: networkd-del_ip.sh}
)");
        write(path / "centos-5.conf", "# legacy\nADD_IP=redhat-add_ip.sh\nSET_HOSTNAME=\"old.sh\"\n"
                                      "SET_HOSTNAME=ignored.sh\nBOGUS=x.sh\n");
    }
};

Detected detected(std::string id, std::vector<std::string> like, std::string network) {
    Detected d;
    d.id = std::move(id);
    d.id_like = std::move(like);
    d.network = std::move(network);
    return d;
}

std::string script(const Definition &def, Action a) {
    auto it = def.scripts.find(a);
    return it == def.scripts.end() ? "" : it->second;
}

} // namespace

BOOST_AUTO_TEST_CASE(ostemplate_suffixes_are_stripped_as_openvz_does) {
    Dists d;
    auto def = choose(d.path, "ubuntu-22.04-x86_64", detected("", {}, ""));
    BOOST_TEST(def.file == d.path / "debian.yaml");
    BOOST_TEST(def.stack == "ifupdown"); // nothing detected: the first listed
    BOOST_TEST(script(def, Action::AddIp) == "ifupdown-add_ip.sh");
    BOOST_TEST(script(def, Action::SetHostname) == "debian-set_hostname.sh");
    // A legacy conf at a more specific level wins over the family.
    auto legacy = choose(d.path, "/some/where/centos-5-x86", detected("", {}, ""));
    BOOST_TEST(legacy.file == d.path / "centos-5.conf");
    BOOST_TEST(script(legacy, Action::SetHostname) == "old.sh");
    BOOST_TEST(script(legacy, Action::AddIp) == "redhat-add_ip.sh");
    BOOST_TEST(choose(d.path, "centos-7-x86_64", detected("", {}, "")).file ==
               d.path / "redhat.yaml");
}

BOOST_AUTO_TEST_CASE(the_network_stack_found_picks_add_ip_and_del_ip) {
    Dists d;
    auto def = choose(d.path, "ubuntu-24.04", detected("ubuntu", {"debian"}, "netplan"));
    BOOST_TEST(def.stack == "netplan");
    BOOST_TEST(script(def, Action::DelIp) == "netplan-del_ip.sh");
    auto rh = choose(d.path, "centos-7", detected("centos", {}, "ifcfg"));
    BOOST_TEST(script(rh, Action::AddIp) == "ifcfg-add_ip.sh");
    // A stack the family does not list: its first one.
    auto other = choose(d.path, "centos-9", detected("centos", {}, "sysconfig"));
    BOOST_TEST(other.stack == "nm-keyfile");
}

BOOST_AUTO_TEST_CASE(unknown_templates_fall_back_to_os_release) {
    Dists d;
    BOOST_TEST(choose(d.path, "my-golden-image", detected("debian", {}, "ifupdown")).file ==
               d.path / "debian.yaml");
    // A new derivative: known only through ID_LIKE.
    auto like = choose(d.path, "", detected("rockylinux-next", {"rhel", "centos"}, "nm-keyfile"));
    BOOST_TEST(like.file == d.path / "redhat.yaml");
    BOOST_TEST(like.stack == "nm-keyfile");
}

BOOST_AUTO_TEST_CASE(nothing_known_gets_the_default_and_no_default_is_107) {
    Dists d;
    auto def = choose(d.path, "plan9-4", detected("plan9", {}, "networkd"));
    BOOST_TEST(def.file == d.path / "default.yaml");
    BOOST_TEST(def.stack == "networkd");
    fs::remove(d.path / "default.yaml");
    write(d.path / "default", "SET_HOSTNAME=set_hostname.sh\n");
    BOOST_TEST(choose(d.path, "plan9-4", detected("plan9", {}, "")).file == d.path / "default");
    fs::remove(d.path / "default");
    try {
        choose(d.path, "plan9-4", detected("plan9", {}, ""));
        BOOST_FAIL("no error");
    } catch (const vz::Error &e) {
        BOOST_TEST(e.code() == vz::VZ_NO_DISTR_CONF);
        BOOST_TEST(std::string(e.what()).find("plan9-4") != std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(bad_yaml_definitions_are_refused_with_the_file_named) {
    for (const char *bad :
         {"name: x\nactions: {NOT_AN_ACTION: a.sh}\n", "actions: {ADD_IP: a.sh}\n",
          "name: x\nactions: {ADD_IP: ../../bin/evil}\n", "name: x\nnetwork: {stack: ifupdown}\n",
          "name: x\nnetwork:\n  - {stack: carrier-pigeon, ADD_IP: a.sh}\n", "name: [\n",
          "name: x\nunknown_key: 1\n"}) {
        try {
            parse_yaml_definition(bad, "dists/x.yaml");
            BOOST_FAIL(std::string("accepted: ") + bad);
        } catch (const vz::Error &e) {
            BOOST_TEST(e.code() == vz::VZ_NO_DISTR_CONF);
            BOOST_TEST(std::string(e.what()).find("dists/x.yaml") != std::string::npos);
        }
    }
    // A broken file is skipped: the others still work.
    Dists d;
    write(d.path / "broken.yaml", "name: [\n");
    BOOST_TEST(choose(d.path, "debian-12", detected("", {}, "")).file == d.path / "debian.yaml");
}

// Definitions are parsed only when their text spells the name looked up: the
// order of the files still decides, quoting does not hide a name, and one
// that never mentions it is passed over however broken it is.
BOOST_AUTO_TEST_CASE(only_definitions_that_spell_the_name_are_parsed) {
    Dists d;
    write(d.path / "alpha.yaml",
          "name: alpha\nostemplates: [\"ubuntu\"]\nactions: {SET_DNS: a.sh}\n");
    write(d.path / "zzz.yaml", "name: [\n");
    const auto def = choose(d.path, "ubuntu-24.04", detected("", {}, ""));
    BOOST_TEST(def.file == d.path / "alpha.yaml"); // before debian.yaml, quoted
    BOOST_TEST(script(def, Action::SetDns) == "a.sh");
    BOOST_TEST(choose(d.path, "centos-7", detected("", {}, "")).file == d.path / "redhat.yaml");
    BOOST_TEST(choose(d.path, "", detected("fedora", {}, "")).file == d.path / "redhat.yaml");
}

BOOST_AUTO_TEST_CASE(os_release_parsing) {
    auto f =
        parse_os_release("# comment\nID=\"almalinux\"\nID_LIKE='rhel centos fedora'\n"
                         "VERSION_ID=9.3\nPRETTY_NAME=\"AlmaLinux 9.3 (Shamrock Pampas Cat)\"\n");
    BOOST_TEST(f["ID"] == "almalinux");
    BOOST_TEST(f["ID_LIKE"] == "rhel centos fedora");
    BOOST_TEST(f["VERSION_ID"] == "9.3");
}

BOOST_AUTO_TEST_CASE(detect_reads_the_tree_and_never_leaves_it) {
    vztest::TempDir root("vzkit-detect");
    write(root.path / "usr/lib/os-release", "ID=opensuse-leap\nID_LIKE=\"suse opensuse\"\n");
    fs::create_directories(root.path / "etc");
    // An absolute symlink resolves inside the tree, not on the host.
    fs::create_symlink("/usr/lib/os-release", root.path / "etc/os-release");
    fs::create_directories(root.path / "etc/sysconfig/network");
    auto d = detect(root.path);
    BOOST_TEST(d.id == "opensuse-leap");
    BOOST_TEST(d.id_like == (std::vector<std::string>{"suse", "opensuse"}));
    BOOST_TEST(d.network == "sysconfig");

    vztest::TempDir escape("vzkit-detect");
    fs::create_directories(escape.path / "etc");
    fs::create_symlink("../../../../../../../../etc/os-release", escape.path / "etc/os-release");
    write(escape.path / "etc/debian_version", "12.5\n");
    write(escape.path / "etc/network/interfaces", "auto lo\n");
    auto e = detect(escape.path);
    BOOST_TEST(e.id == "debian"); // the host's os-release was not read
    BOOST_TEST(e.network == "ifupdown");
}

BOOST_AUTO_TEST_CASE(network_stack_marks_in_priority_order) {
    struct Case {
        std::vector<std::string> files, dirs;
        std::string stack;
    };
    const std::vector<Case> cases = {
        {{"etc/network/interfaces"}, {"etc/netplan"}, "netplan"},
        {{"etc/sysconfig/network-scripts/ifup-eth", "usr/sbin/NetworkManager"}, {}, "ifcfg"},
        {{"usr/sbin/NetworkManager", "etc/sysconfig/network"}, {}, "nm-keyfile"},
        {{"etc/init.d/net.lo"}, {}, "netifrc"},
        {{"etc/rc.d/rc.inet1.conf"}, {}, "slackware"},
        {{"etc/network/interfaces", "usr/lib/systemd/systemd-networkd"}, {}, "ifupdown"},
        {{"etc/network/interfaces",
          "etc/systemd/system/multi-user.target.wants/systemd-networkd.service"},
         {},
         "networkd"},
        {{"usr/lib/systemd/systemd-networkd"}, {}, "networkd"},
        {{}, {}, ""},
    };
    for (const auto &c : cases) {
        vztest::TempDir root("vzkit-stack");
        for (const auto &f : c.files)
            write(root.path / f, "");
        for (const auto &dir : c.dirs)
            fs::create_directories(root.path / dir);
        BOOST_TEST(detect(root.path).network == c.stack);
    }
}

BOOST_AUTO_TEST_CASE(legacy_conf_parsing) {
    auto m = parse_legacy_conf("ADD_IP=a.sh\n  DEL_IP = 'b.sh' \n#SET_DNS=c.sh\nJUNK\n");
    BOOST_TEST(m.size() == 2u);
    BOOST_TEST(m[Action::DelIp] == "b.sh");
}

BOOST_AUTO_TEST_CASE(resolv_conf_inherit) {
    auto host = parse_resolv_conf("# x\nnameserver 192.0.2.53\nsearch a.example\n"
                                  "nameserver 2001:db8::53\ndomain b.example c.example\n");
    BOOST_TEST(resolve_nameservers("inherit", host) == "192.0.2.53 2001:db8::53");
    BOOST_TEST(resolve_searchdomains("inherit", host) == "b.example c.example");
    BOOST_TEST(resolve_nameservers("198.51.100.53", host) == "198.51.100.53");
}
