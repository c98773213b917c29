// The native forms of the start's distribution actions against the stock
// scripts themselves: each case lays out the same /etc twice, runs the
// script (functions + script, its /etc paths moved below the scratch root)
// with /bin/sh on one copy and run_native() on the other, and the two trees
// must be identical, file by file, text and mode. Also: an edited script is
// not done natively, and CtRoot never leaves the root it was given.
#define BOOST_TEST_MODULE dist_native
#include <boost/test/unit_test.hpp>

#include "temp_dir.h"

#include "vzkit/base/error.h"
#include "vzkit/dist/native.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace fs = std::filesystem;
using namespace vz::dist;

namespace {

const fs::path kScripts = fs::path(VZKIT_SOURCE_DIR) / "dists" / "scripts";

void put(const fs::path &path, const std::string &text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
}

std::string slurp(const fs::path &path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// path below root → "mode text" (symlinks as "-> target").
std::map<std::string, std::string> tree(const fs::path &root) {
    std::map<std::string, std::string> out;
    for (const auto &e : fs::recursive_directory_iterator(root)) {
        const auto rel = fs::relative(e.path(), root).string();
        struct stat st {};
        lstat(e.path().c_str(), &st);
        if (S_ISLNK(st.st_mode))
            out[rel] = "-> " + fs::read_symlink(e.path()).string();
        else if (S_ISREG(st.st_mode))
            out[rel] = std::to_string(st.st_mode & 07777) + " " + slurp(e.path());
        else
            out[rel] = "dir";
    }
    return out;
}

// The script on the host's sh, every "/etc/" of its text below root.
void run_script(const std::string &text, const fs::path &root, const ScriptEnv &env) {
    std::string moved;
    const std::string from = "/etc/", to = root.string() + "/etc/";
    for (size_t i = 0; i < text.size();) {
        if (text.compare(i, from.size(), from) == 0) {
            moved += to;
            i += from.size();
        } else {
            moved += text[i++];
        }
    }
    put(root.parent_path() / "script.sh", moved);
    std::string cmd = "env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin";
    for (const auto &[k, v] : env)
        cmd += " " + k + "='" + v + "'";
    cmd += " sh " + (root.parent_path() / "script.sh").string() + " </dev/null";
    BOOST_REQUIRE_EQUAL(std::system(cmd.c_str()), 0);
}

struct Case {
    std::string script;
    ScriptEnv env;
    std::map<std::string, std::string> files; // below etc/
    std::map<std::string, std::string> links; // etc/name → target
};

void check_same(const Case &c) {
    vztest::TempDir dir("vzkit-native");
    const fs::path a = dir.path / "a" / "root", b = dir.path / "b" / "root";
    for (const auto &root : {a, b}) {
        fs::create_directories(root / "etc");
        for (const auto &[name, text] : c.files)
            put(root / "etc" / name, text);
        for (const auto &[name, target] : c.links)
            fs::create_symlink(target, root / "etc" / name);
    }
    const std::string text = compose_script(kScripts, c.script);
    run_script(text, a, c.env);
    BOOST_REQUIRE(run_native(c.script, text, CtRoot::at(b), c.env));
    const auto want = tree(a), have = tree(b);
    for (const auto &[path, content] : want)
        BOOST_CHECK_MESSAGE(have.contains(path) && have.at(path) == content,
                            c.script << ": " << path << "\nscript: " << content << "\nnative: "
                                     << (have.contains(path) ? have.at(path) : "(none)"));
    for (const auto &[path, content] : have)
        BOOST_CHECK_MESSAGE(want.contains(path), c.script << ": native made " << path);
}

const std::string kHosts = "127.0.0.1\tlocalhost busybox\n::1\tlocalhost ip6-localhost\n";
const std::string kMarker = "# Auto-generated hostname. Please do not remove this comment.\n";

} // namespace

BOOST_AUTO_TEST_CASE(hostname_like_the_scripts) {
    const ScriptEnv env{
        {"VE_STATE", "starting"}, {"HOSTNM", "ct.example.com"}, {"IP_ADDR", "198.51.100.50"}};
    for (const std::string script : {"set_hostname.sh", "debian-set_hostname.sh"}) {
        check_same({script, env, {{"hosts", kHosts}}, {}});
        check_same({script, env, {}, {}}); // no /etc/hosts at all
        check_same({script, env, {{"hosts", kHosts + kMarker + "10.0.0.1 old\n# mine\n"}}, {}});
        check_same({script, env, {{"hosts", "  127.0.0.1 lo\n" + kMarker}}, {}}); // marker last
        check_same({script, env, {{"hosts", "no newline"}, {"hostname", "old\n"}}, {}});
        check_same({script, {{"HOSTNM", "plain"}}, {{"hosts", kHosts}}, {}}); // 127.0.1.1
        check_same({script, env, {{"real-hosts", kHosts}}, {{"hosts", "real-hosts"}}});
    }
}

BOOST_AUTO_TEST_CASE(redhat_hostname_like_the_script) {
    const ScriptEnv env{
        {"VE_STATE", "starting"}, {"HOSTNM", "ct.example.com"}, {"IP_ADDR", "198.51.100.50"}};
    const std::string net = "NETWORKING=yes\nHOSTNAME=old\nGATEWAYDEV=venet0\nHOSTNAME=again";
    check_same({"redhat-set_hostname.sh", env, {{"hosts", kHosts}}, {}}); // no sysconfig/network
    check_same(
        {"redhat-set_hostname.sh", env, {{"hosts", kHosts}, {"sysconfig/network", net}}, {}});
    check_same({"redhat-set_hostname.sh", env, {{"sysconfig/network", "NETWORKING=yes\n"}}, {}});
    check_same({"redhat-set_hostname.sh", env, {{"sysconfig/network", ""}}, {}});
}

BOOST_AUTO_TEST_CASE(dns_like_the_script) {
    const std::string conf = "# mine\nnameserver 10.0.0.1\nsearch old.example\noptions ndots:2\n"
                             "domain x\n\n  nameserver 10.0.0.2";
    check_same({"set_dns.sh",
                {{"NAMESERVER", "198.51.100.53 2001:db8::53"}},
                {{"resolv.conf", conf}},
                {}});
    check_same(
        {"set_dns.sh", {{"SEARCHDOMAIN", "example.com example.org"}}, {{"resolv.conf", conf}}, {}});
    check_same(
        {"set_dns.sh", {{"NAMESERVER", "198.51.100.53"}, {"SEARCHDOMAIN", "example.com"}}, {}, {}});
    // systemd-resolved's stub, dangling at start: it becomes a file.
    check_same({"set_dns.sh",
                {{"NAMESERVER", "198.51.100.53"}},
                {},
                {{"resolv.conf", "../run/systemd/resolve/stub-resolv.conf"}}});
}

BOOST_AUTO_TEST_CASE(ifupdown_like_the_script) {
    const std::string deb =
        "auto lo\niface lo inet loopback\n\nallow-hotplug eth0\niface eth0 inet dhcp\n";
    const std::string block = "# BEGIN venet0 (generated by vzctl; edit outside this block)\n"
                              "# venet0 addresses: 10.0.0.9\nauto venet0\n# END venet0\n";
    const ScriptEnv v4{{"VE_STATE", "starting"}, {"IP_ADDR", "198.51.100.50 203.0.113.7/24"}};
    ScriptEnv both = v4;
    both["IP_ADDR"] = "198.51.100.50 2001:db8::50 2001:db8::51/64 203.0.113.7";
    ScriptEnv both6 = both;
    both6["IPV6"] = "yes";
    check_same({"ifupdown-add_ip.sh", v4, {{"network/interfaces", deb}}, {}});
    check_same({"ifupdown-add_ip.sh", both, {{"network/interfaces", deb}}, {}});
    check_same({"ifupdown-add_ip.sh", both6, {{"network/interfaces", deb}}, {}});
    check_same({"ifupdown-add_ip.sh", v4, {}, {}}); // no file, no directory
    check_same(
        {"ifupdown-add_ip.sh", v4, {{"network/interfaces", "# empty\n" + block + "tail"}}, {}});
    check_same({"ifupdown-add_ip.sh",
                {{"VE_STATE", "starting"}},
                {{"network/interfaces", deb + block}},
                {}});
    check_same({"ifupdown-add_ip.sh", {{"VE_STATE", "starting"}}, {}, {}});
}

BOOST_AUTO_TEST_CASE(netplan_networkd_nm_like_the_scripts) {
    const ScriptEnv v4{{"VE_STATE", "starting"}, {"IP_ADDR", "198.51.100.50 203.0.113.7/24"}};
    ScriptEnv both = v4;
    both["IP_ADDR"] = "198.51.100.50 2001:db8::50 2001:db8::51/64 203.0.113.7";
    ScriptEnv both6 = both;
    both6["IPV6"] = "yes";
    ScriptEnv only6 = {{"VE_STATE", "starting"}, {"IP_ADDR", "2001:db8::50"}, {"IPV6", "yes"}};
    const ScriptEnv none{{"VE_STATE", "starting"}};
    const std::map<std::string, std::string> old = {
        {"netplan/50-vzctl-venet0.yaml", "old\n"},
        {"systemd/network/50-vzctl-venet0.network", "old\n"},
        {"NetworkManager/system-connections/venet0.nmconnection", "old\n"}};
    for (const std::string script :
         {"netplan-add_ip.sh", "networkd-add_ip.sh", "nm-keyfile-add_ip.sh"}) {
        for (const auto &env : {v4, both, both6, only6}) {
            check_same({script, env, {}, {}}); // no directory yet
            check_same({script, env, old, {}});
        }
        check_same({script, none, old, {}}); // no address: the file goes
        check_same({script, none, {}, {}});
    }
}

BOOST_AUTO_TEST_CASE(pam_like_the_script) {
    const std::string sshd = "auth include common\nsession    required\tpam_loginuid.so\n"
                             "session required pam_limits.so\n";
    check_same({"prestart.sh",
                {{"VZ_KERNEL", "no"}},
                {{"pam.d/sshd", sshd},
                 {"pam.d/login", "session required pam_loginuid.so"}, // no newline
                 {"pam.d/other", "session optional pam_loginuid.so\n"},
                 {"pam.d/.hidden", sshd}},
                {{"pam.d/cron", "sshd"}}});
}

BOOST_AUTO_TEST_CASE(an_edited_or_unknown_script_is_not_native) {
    vztest::TempDir dir("vzkit-native");
    const auto root = CtRoot::at(dir.path);
    const ScriptEnv env{{"HOSTNM", "ct"}};
    const std::string text = compose_script(kScripts, "set_hostname.sh");
    BOOST_CHECK(!run_native("set_hostname.sh", text + "# local change\n", root, env));
    BOOST_CHECK(!run_native("suse-set_hostname.sh",
                            compose_script(kScripts, "suse-set_hostname.sh"), root, env));
    // Running (not starting), ADD_IP reads the file's addresses back: the script's.
    BOOST_CHECK(!run_native("ifupdown-add_ip.sh", compose_script(kScripts, "ifupdown-add_ip.sh"),
                            root, {{"VE_STATE", "running"}, {"IP_ADDR", "198.51.100.1"}}));
    BOOST_CHECK(fs::is_empty(dir.path));
    // A file over 1 MiB is left to the script, before anything is written.
    put(dir.path / "etc" / "hosts", std::string((1 << 20) + 1, '#') + "\n");
    BOOST_CHECK(!run_native("set_hostname.sh", text, root, env));
    BOOST_CHECK(!fs::exists(dir.path / "etc" / "hostname"));
}

BOOST_AUTO_TEST_CASE(ct_root_stays_inside) {
    vztest::TempDir dir("vzkit-native");
    const fs::path root = dir.path / "root", outside = dir.path / "outside";
    fs::create_directories(root / "etc");
    put(outside / "hosts", "host's own\n");
    // The container's own absolute and relative links to what is the host's.
    fs::create_symlink(outside / "hosts", root / "etc" / "hosts");
    fs::create_symlink("../../outside", root / "etc" / "network");
    fs::create_symlink("/proc/self/root/" + outside.string(), root / "etc" / "pam.d");
    mkfifo((root / "etc" / "resolv.conf").c_str(), 0644);
    const auto ct = CtRoot::at(root);
    BOOST_CHECK(!ct.read("/etc/hosts"));       // resolves to root/<outside>/hosts: missing
    BOOST_CHECK(!ct.read("/etc/resolv.conf")); // a FIFO: not read, not waited on
    BOOST_CHECK(ct.regular_files("/etc/pam.d").empty()); // a magic link: refused
    ct.write("/etc/hosts", "mine\n");
    ct.write("/etc/resolv.conf", "nameserver 198.51.100.53\n", 0644);
    // /outside inside the root does not exist: like mkdir -p in the script, no write.
    BOOST_CHECK_THROW(ct.write("/etc/network/interfaces", "auto lo\n"), vz::Error);
    fs::create_directories(root / "outside");
    ct.write("/etc/network/interfaces", "auto lo\n");
    BOOST_CHECK_EQUAL(slurp(outside / "hosts"), "host's own\n");
    BOOST_CHECK(!fs::exists(outside / "interfaces"));
    BOOST_CHECK(fs::is_regular_file(fs::symlink_status(root / "etc" / "hosts")));
    BOOST_CHECK_EQUAL(slurp(root / "etc" / "hosts"), "mine\n");
    BOOST_CHECK(fs::is_regular_file(fs::symlink_status(root / "etc" / "resolv.conf")));
    // ../../outside from /etc is /outside inside the root: made there.
    BOOST_CHECK_EQUAL(slurp(root / "outside" / "interfaces"), "auto lo\n");
    // Unchanged text and mode: nothing written.
    BOOST_CHECK(!ct.write("/etc/hosts", "mine\n"));
}
