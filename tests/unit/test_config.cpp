#define BOOST_TEST_MODULE config
#include <boost/test/unit_test.hpp>

#include "temp_dir.h"

#include "vzkit/base/config.h"
#include "vzkit/base/error.h"
#include "vzkit/base/util.h"
#include "vzkit/base/ct_config.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

struct TempDir : vztest::TempDir {
    TempDir() : vztest::TempDir("vzkit-config") {}
};

// Sets VZ_CONFDIR for the scope of a test.
struct ConfDirEnv {
    explicit ConfDirEnv(const fs::path &dir) { ::setenv("VZ_CONFDIR", dir.c_str(), 1); }
    ~ConfDirEnv() { ::unsetenv("VZ_CONFDIR"); }
};

void write_text(const fs::path &path, const std::string &text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
}

std::vector<std::string> dir_entries(const fs::path &dir) {
    std::vector<std::string> names;
    for (const auto &entry : fs::directory_iterator(dir))
        names.push_back(entry.path().filename().string());
    std::ranges::sort(names);
    return names;
}

// Output of a shell command that must succeed.
std::string run_capture(const std::string &cmd) {
    FILE *pipe = ::popen(cmd.c_str(), "r");
    BOOST_REQUIRE(pipe != nullptr);
    std::string out;
    char buf[256];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0)
        out.append(buf, n);
    int status = ::pclose(pipe);
    BOOST_REQUIRE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    return out;
}

// What sh makes of KEY after sourcing file.
std::string sh_value(const fs::path &file, const std::string &key) {
    return run_capture("sh -c '. \"$0\"; printf %s \"$" + key + "\"' " + file.string());
}

// Runs fn with stderr redirected to a file and returns what it printed.
template <typename Fn> std::string capture_stderr(Fn fn) {
    TempDir dir;
    fs::path file = dir.path / "stderr";
    std::fflush(stderr);
    int saved = ::dup(2);
    FILE *out = std::fopen(file.c_str(), "w");
    ::dup2(::fileno(out), 2);
    try {
        fn();
    } catch (...) {
        std::fflush(stderr);
        ::dup2(saved, 2);
        ::close(saved);
        std::fclose(out);
        throw;
    }
    std::fflush(stderr);
    ::dup2(saved, 2);
    ::close(saved);
    std::fclose(out);
    return vz::read_file(file).value_or("");
}

template <typename Fn> int error_code_of(Fn fn, std::string *message = nullptr) {
    try {
        fn();
    } catch (const vz::Error &e) {
        if (message)
            *message = e.what();
        return e.code();
    }
    return 0;
}

const std::string kSample = "# Global settings\n"
                            "\n"
                            "VIRTUOZZO=yes\n"
                            "  LOCKDIR=/vz/lock  \n"
                            "VE_ROOT=\"/vz/root/$VEID\"\n"
                            "TEMPLATE='/vz/template'\n"
                            "\t# indented comment\n"
                            "this line is not an assignment\n"
                            "DESCRIPTION=\"a # is part of the value\"\n"
                            "NAME=web#1\n"
                            "EMPTY=\n"
                            "   \n";

} // namespace

BOOST_AUTO_TEST_CASE(parses_values) {
    auto cfg = vz::ConfigFile::parse(kSample, "vz.conf");
    BOOST_TEST(cfg.get("VIRTUOZZO").value() == "yes");
    BOOST_TEST(cfg.get("LOCKDIR").value() == "/vz/lock");
    BOOST_TEST(cfg.get("VE_ROOT").value() == "/vz/root/$VEID");
    BOOST_TEST(cfg.get("TEMPLATE").value() == "/vz/template");
    BOOST_TEST(cfg.get("DESCRIPTION").value() == "a # is part of the value");
    BOOST_TEST(cfg.get("NAME").value() == "web#1");
    BOOST_TEST(cfg.get("EMPTY").value() == "");
    BOOST_TEST(!cfg.get("MISSING").has_value());
    BOOST_TEST(cfg.contains("VIRTUOZZO"));
    BOOST_TEST(!cfg.dirty());
    BOOST_TEST(cfg.values().size() == 7u);
}

BOOST_AUTO_TEST_CASE(render_round_trips_byte_for_byte) {
    auto cfg = vz::ConfigFile::parse(kSample, "vz.conf");
    BOOST_TEST(cfg.render() == kSample);

    const std::string crlf = "A=1\r\n# c\r\nB=\"2\"\r\n";
    BOOST_TEST(vz::ConfigFile::parse(crlf).render() == crlf);
    BOOST_TEST(vz::ConfigFile::parse(crlf).get("B").value() == "2");

    const std::string trailing_blank = "A=1\n\n\n";
    BOOST_TEST(vz::ConfigFile::parse(trailing_blank).render() == trailing_blank);
    BOOST_TEST(vz::ConfigFile::parse("").render() == "");
    BOOST_TEST(vz::ConfigFile::parse("\n").render() == "\n");
}

// Documented choice: a file without a final newline gets exactly one on render.
BOOST_AUTO_TEST_CASE(missing_final_newline_is_normalised) {
    auto cfg = vz::ConfigFile::parse("A=1\n# end", "x.conf");
    BOOST_TEST(cfg.render() == "A=1\n# end\n");
    BOOST_TEST(vz::ConfigFile::parse("A=1").render() == "A=1\n");
}

BOOST_AUTO_TEST_CASE(set_rewrites_only_its_line) {
    auto cfg = vz::ConfigFile::parse(kSample, "vz.conf");
    cfg.set("LOCKDIR", "/var/lock/vz");
    BOOST_TEST(cfg.dirty());
    BOOST_TEST(cfg.get("LOCKDIR").value() == "/var/lock/vz");

    std::vector<std::string> before = vz::split(kSample, '\n', false);
    std::vector<std::string> after = vz::split(cfg.render(), '\n', false);
    BOOST_REQUIRE_EQUAL(before.size(), after.size());
    int changed = 0;
    for (std::size_t i = 0; i < before.size(); ++i) {
        if (before[i] != after[i]) {
            ++changed;
            BOOST_TEST(after[i] == "LOCKDIR=\"/var/lock/vz\"");
            BOOST_TEST(i == 3u);
        }
    }
    BOOST_TEST(changed == 1);
}

BOOST_AUTO_TEST_CASE(set_of_the_same_value_changes_nothing) {
    auto cfg = vz::ConfigFile::parse(kSample, "vz.conf");
    cfg.set("LOCKDIR", "/vz/lock");
    BOOST_TEST(!cfg.dirty());
    BOOST_TEST(cfg.render() == kSample);
}

BOOST_AUTO_TEST_CASE(set_appends_a_new_key) {
    auto cfg = vz::ConfigFile::parse("A=1\n# tail comment\n");
    cfg.set("NEW_KEY", "two words");
    BOOST_TEST(cfg.dirty());
    BOOST_TEST(cfg.render() == "A=1\n# tail comment\nNEW_KEY=\"two words\"\n");
    BOOST_TEST(cfg.get("NEW_KEY").value() == "two words");

    auto empty = vz::ConfigFile::parse("");
    empty.set("A", "1");
    BOOST_TEST(empty.render() == "A=\"1\"\n");
}

BOOST_AUTO_TEST_CASE(set_rejects_bad_keys_and_newlines) {
    auto cfg = vz::ConfigFile::parse("");
    BOOST_TEST(error_code_of([&] { cfg.set("1ABC", "x"); }) == vz::VZ_INVALID_PARAMETER_VALUE);
    BOOST_TEST(error_code_of([&] { cfg.set("A B", "x"); }) == vz::VZ_INVALID_PARAMETER_VALUE);
    BOOST_TEST(error_code_of([&] { cfg.set("A", "x\ny"); }) == vz::VZ_INVALID_PARAMETER_VALUE);
    BOOST_TEST(cfg.render() == "");
}

BOOST_AUTO_TEST_CASE(erase_removes_the_key_and_its_duplicates) {
    auto cfg = vz::ConfigFile::parse("A=1\n# keep\nB=2\nA=3\nC=4\n", "dup.conf");
    cfg.erase("A");
    BOOST_TEST(cfg.dirty());
    BOOST_TEST(cfg.render() == "# keep\nB=2\nC=4\n");
    BOOST_TEST(!cfg.contains("A"));

    auto untouched = vz::ConfigFile::parse("B=2\n");
    untouched.erase("A");
    BOOST_TEST(!untouched.dirty());
}

BOOST_AUTO_TEST_CASE(duplicate_key_warns_with_file_and_line) {
    auto cfg = vz::ConfigFile::parse("A=first\n# c\nA=second\n", "/etc/vz/conf/101.conf");
    BOOST_TEST(cfg.get("A").value() == "first");
    BOOST_REQUIRE_EQUAL(cfg.warnings().size(), 1u);
    const auto &w = cfg.warnings().front();
    BOOST_TEST(w.file == "/etc/vz/conf/101.conf");
    BOOST_TEST(w.line == 3u);
    BOOST_TEST(w.message == "duplicate A, ignored (first set on line 1)");
    // The ignored line survives a save untouched.
    BOOST_TEST(cfg.render() == "A=first\n# c\nA=second\n");
}

BOOST_AUTO_TEST_CASE(unparsable_lines_warn_and_are_kept) {
    const std::string text = "A=1\nnot an assignment\nB=\"unterminated\n1BAD=x\nC = 3\n";
    auto cfg = vz::ConfigFile::parse(text, "vz.conf");
    BOOST_REQUIRE_EQUAL(cfg.warnings().size(), 4u);
    BOOST_TEST(cfg.warnings()[0].file == "vz.conf");
    BOOST_TEST(cfg.warnings()[0].line == 2u);
    BOOST_TEST(cfg.warnings()[0].message == "unable to parse line: not an assignment");
    BOOST_TEST(cfg.warnings()[1].line == 3u);
    BOOST_TEST(cfg.warnings()[1].message == "unable to parse line: B=\"unterminated");
    BOOST_TEST(cfg.warnings()[2].line == 4u);
    BOOST_TEST(cfg.warnings()[3].line == 5u);
    BOOST_TEST(!cfg.contains("B"));
    cfg.set("A", "2");
    BOOST_TEST(cfg.render() == "A=\"2\"\nnot an assignment\nB=\"unterminated\n1BAD=x\nC = 3\n");
}

BOOST_AUTO_TEST_CASE(parse_config_value_cases) {
    BOOST_TEST(vz::parse_config_value("abc").value() == "abc");
    BOOST_TEST(vz::parse_config_value("\"a b\"").value() == "a b");
    BOOST_TEST(vz::parse_config_value("'a \\ b'").value() == "a \\ b");
    BOOST_TEST(vz::parse_config_value("\"a\\\"b\\\\c\\$d\\`e\\n\"").value() == "a\"b\\c$d`e\\n");
    BOOST_TEST(vz::parse_config_value("  \"x\"  ").value() == "x");
    BOOST_TEST(vz::parse_config_value("").value() == "");
    BOOST_TEST(vz::parse_config_value("\"\"").value() == "");
    BOOST_TEST(!vz::parse_config_value("\"abc").has_value());
    BOOST_TEST(!vz::parse_config_value("'abc").has_value());
    BOOST_TEST(!vz::parse_config_value("\"").has_value());
    BOOST_TEST(!vz::parse_config_value("\"a\" # comment").has_value());
}

BOOST_AUTO_TEST_CASE(format_config_line_escapes_for_sh) {
    BOOST_TEST(vz::format_config_line("A", "plain") == "A=\"plain\"");
    BOOST_TEST(vz::format_config_line("A", "a\"b\\c$d`e'f") == "A=\"a\\\"b\\\\c\\$d\\`e'f\"");
}

BOOST_AUTO_TEST_CASE(load_missing_file_is_empty) {
    TempDir dir;
    auto cfg = vz::ConfigFile::load(dir.path / "absent.conf");
    BOOST_TEST(!cfg.exists());
    BOOST_TEST(cfg.values().empty());
    BOOST_TEST(cfg.name() == (dir.path / "absent.conf").string());
}

BOOST_AUTO_TEST_CASE(load_unreadable_file_throws_naming_it) {
    TempDir dir;
    // A directory opens but cannot be read (EISDIR). EACCES cannot be tested as root.
    std::string message;
    int code = error_code_of([&] { vz::ConfigFile::load(dir.path); }, &message);
    BOOST_TEST(code == vz::VZ_SYSTEM_ERROR);
    BOOST_TEST(message.find(dir.path.string()) != std::string::npos);
}

BOOST_AUTO_TEST_CASE(load_reads_an_existing_file) {
    TempDir dir;
    write_text(dir.path / "101.conf", "A=\"1\"\nB=2\n");
    auto cfg = vz::ConfigFile::load(dir.path / "101.conf");
    BOOST_TEST(cfg.exists());
    BOOST_TEST(cfg.get("A").value() == "1");
    BOOST_TEST(cfg.get("B").value() == "2");
}

BOOST_AUTO_TEST_CASE(save_is_atomic_with_mode_0644) {
    TempDir dir;
    const fs::path file = dir.path / "101.conf";
    write_text(file, "A=1\n# comment\n");
    ::chmod(file.c_str(), 0600);
    struct stat before {};
    BOOST_REQUIRE(::stat(file.c_str(), &before) == 0);

    auto cfg = vz::ConfigFile::load(file);
    cfg.set("B", "2");
    cfg.save(file);

    BOOST_TEST(dir_entries(dir.path) == std::vector<std::string>{"101.conf"});
    struct stat st {};
    BOOST_REQUIRE(::stat(file.c_str(), &st) == 0);
    BOOST_TEST((st.st_mode & 07777) == 0644u);
    // A rename, not an in-place rewrite: readers see the old or the new file, never half.
    BOOST_TEST(st.st_ino != before.st_ino);
    BOOST_TEST(vz::read_file(file).value() == "A=1\n# comment\nB=\"2\"\n");

    // A new file is created the same way, with nothing else left behind.
    cfg.save(dir.path / "102.conf");
    BOOST_TEST(dir_entries(dir.path) == (std::vector<std::string>{"101.conf", "102.conf"}));
}

BOOST_AUTO_TEST_CASE(save_into_a_missing_directory_fails_cleanly) {
    TempDir dir;
    auto cfg = vz::ConfigFile::parse("A=1\n");
    BOOST_TEST(error_code_of([&] { cfg.save(dir.path / "nodir" / "1.conf"); }) ==
               vz::VZ_CONFIG_SAVE_ERROR);
    BOOST_TEST(dir_entries(dir.path).empty());
}

BOOST_AUTO_TEST_CASE(veid_reference_is_kept_for_the_scripts) {
    // OpenVZ's scripts source <CTID>.conf with VEID set and expect the
    // reference to expand; any other '$' must not.
    BOOST_TEST(vz::format_config_line("VE_ROOT", "/vz/root/$VEID") == "VE_ROOT=\"/vz/root/$VEID\"");
    BOOST_TEST(vz::format_config_line("VE_ROOT", "/vz/${VEID}/x") == "VE_ROOT=\"/vz/${VEID}/x\"");
    TempDir dir;
    const fs::path file = dir.path / "veid.conf";
    vz::ConfigFile cfg;
    cfg.set("VE_PRIVATE", "/vz/private/$VEID");
    cfg.save(file);
    const std::string cmd = "VEID=101 sh -c '. \"$0\"; printf %s \"$VE_PRIVATE\"' " + file.string();
    BOOST_TEST(run_capture(cmd) == "/vz/private/101");
    BOOST_TEST(vz::ConfigFile::load(file).get("VE_PRIVATE").value() == "/vz/private/$VEID");
}

BOOST_AUTO_TEST_CASE(escaping_survives_sh_sourcing) {
    TempDir dir;
    const fs::path file = dir.path / "esc.conf";
    const std::vector<std::string> values = {
        "plain",
        "two words",
        "dq \" inside",
        "back\\slash and \\\\ double",
        "dollar $HOME ${PATH} $(echo no)",
        "back`tick` `id`",
        "single ' quote",
        "hash # not a comment",
        "mix \\\" \\$ \\` end\\",
    };
    vz::ConfigFile cfg;
    for (std::size_t i = 0; i < values.size(); ++i)
        cfg.set("KEY" + std::to_string(i), values[i]);
    cfg.save(file);
    auto reloaded = vz::ConfigFile::load(file);
    BOOST_TEST(reloaded.warnings().empty());
    for (std::size_t i = 0; i < values.size(); ++i) {
        const std::string key = "KEY" + std::to_string(i);
        BOOST_TEST(sh_value(file, key) == values[i]);
        BOOST_TEST(reloaded.get(key).value() == values[i]);
    }
}

BOOST_AUTO_TEST_CASE(vz_confdir_moves_conf_dir) {
    ::unsetenv("VZ_CONFDIR");
    BOOST_TEST(vz::conf_dir() == fs::path("/etc/vz"));
    BOOST_TEST(vz::ct_conf_path(101) == fs::path("/etc/vz/conf/101.conf"));
    TempDir dir;
    ConfDirEnv env(dir.path);
    BOOST_TEST(vz::conf_dir() == dir.path);
    BOOST_TEST(vz::global_conf_path() == dir.path / "vz.conf");
    BOOST_TEST(vz::ct_conf_dir() == dir.path / "conf");
    BOOST_TEST(vz::ct_conf_path(101) == dir.path / "conf" / "101.conf");
    BOOST_TEST(vz::sample_conf_path("basic") == dir.path / "conf" / "ve-basic.conf-sample");
    BOOST_TEST(vz::names_dir() == dir.path / "names");
    BOOST_TEST(vz::dists_dir() == dir.path / "dists");
}

BOOST_AUTO_TEST_CASE(precedence_global_ct_override) {
    TempDir dir;
    ConfDirEnv env(dir.path);
    write_text(dir.path / "vz.conf", "A=global\nB=global\nC=global\n"
                                     "VE_ROOT=/vz/root/$VEID\nVE_PRIVATE=\"/vz/private/${VEID}\"\n"
                                     "ONBOOT=yes\nNUM=42\n");
    write_text(dir.path / "conf" / "101.conf", "B=ct\nC=ct\nONBOOT=NO\n");
    auto cfg = vz::CtConfig::load(101);
    BOOST_TEST(cfg.ctid() == 101u);
    BOOST_TEST(cfg.ct_exists());
    cfg.set_override("C", "cli");
    BOOST_TEST(cfg.get("A").value() == "global");
    BOOST_TEST(cfg.get("B").value() == "ct");
    BOOST_TEST(cfg.get("C").value() == "cli");
    BOOST_TEST(!cfg.get("D").has_value());
    BOOST_TEST(cfg.get_or("D", "fallback") == "fallback");
    BOOST_TEST(cfg.get_bool("ONBOOT", true) == false);
    BOOST_TEST(cfg.get_bool("MISSING", true) == true);
    BOOST_TEST(cfg.get_int("NUM").value() == 42);
    BOOST_TEST(!cfg.get_int("A").has_value());
    BOOST_TEST(cfg.ve_root() == fs::path("/vz/root/101"));
    BOOST_TEST(cfg.ve_private() == fs::path("/vz/private/101"));
    BOOST_TEST(cfg.lock_dir() == fs::path("/vz/lock"));
    BOOST_TEST(cfg.template_dir() == fs::path("/vz/template"));
    BOOST_TEST(cfg.ct_conf_path() == dir.path / "conf" / "101.conf");
}

BOOST_AUTO_TEST_CASE(get_bool_words) {
    vz::CtConfig cfg;
    for (const char *word : {"yes", "YES", "true", "1", "on"}) {
        cfg.set_override("X", word);
        BOOST_TEST(cfg.get_bool("X", false) == true, word);
    }
    for (const char *word : {"no", "No", "false", "0", "off"}) {
        cfg.set_override("X", word);
        BOOST_TEST(cfg.get_bool("X", true) == false, word);
    }
    cfg.set_override("X", "maybe");
    BOOST_TEST(cfg.get_bool("X", true) == true);
}

BOOST_AUTO_TEST_CASE(missing_ct_conf_is_not_an_error) {
    TempDir dir;
    ConfDirEnv env(dir.path);
    write_text(dir.path / "vz.conf", "LOCKDIR=/tmp/locks\nTEMPLATE=/srv/template\n");
    auto cfg = vz::CtConfig::load(555);
    BOOST_TEST(!cfg.ct_exists());
    BOOST_TEST(cfg.lock_dir() == fs::path("/tmp/locks"));
    BOOST_TEST(cfg.template_dir() == fs::path("/srv/template"));
    BOOST_TEST(error_code_of([&] { cfg.ve_root(); }) == vz::VZ_VE_ROOT_NOTSET);
    BOOST_TEST(error_code_of([&] { cfg.ve_private(); }) == vz::VZ_VE_PRIVATE_NOTSET);
}

BOOST_AUTO_TEST_CASE(missing_global_conf_is_noconfig) {
    TempDir dir;
    ConfDirEnv env(dir.path);
    std::string message;
    BOOST_TEST(error_code_of([] { vz::CtConfig::load(101); }, &message) == vz::VZ_NOCONFIG);
    BOOST_TEST(message ==
               "Global configuration file " + (dir.path / "vz.conf").string() + " not found");
}

BOOST_AUTO_TEST_CASE(load_prints_parse_warnings_once) {
    TempDir dir;
    ConfDirEnv env(dir.path);
    write_text(dir.path / "vz.conf", "A=1\nbroken line\n");
    write_text(dir.path / "conf" / "101.conf", "B=1\nB=2\n");
    std::string err = capture_stderr([] { vz::CtConfig::load(101); });
    const std::string global_warning =
        "Warning: " + (dir.path / "vz.conf").string() + ":2: unable to parse line: broken line\n";
    const std::string ct_warning = "Warning: " + (dir.path / "conf" / "101.conf").string() +
                                   ":2: duplicate B, ignored (first set on line 1)\n";
    BOOST_TEST(err == global_warning + ct_warning);
}

BOOST_AUTO_TEST_CASE(substitute_veid_forms) {
    BOOST_TEST(vz::substitute_veid("/vz/root/$VEID", 101) == "/vz/root/101");
    BOOST_TEST(vz::substitute_veid("/vz/${VEID}/x/$VEID", 7) == "/vz/7/x/7");
    BOOST_TEST(vz::substitute_veid("/vz/$VEIDX", 7) == "/vz/$VEIDX");
    BOOST_TEST(vz::substitute_veid("/vz/$VEID.d", 7) == "/vz/7.d");
    BOOST_TEST(vz::substitute_veid("/plain", 7) == "/plain");
}

BOOST_AUTO_TEST_CASE(parse_ctid_values) {
    BOOST_TEST(vz::parse_ctid("0") == 0u);
    BOOST_TEST(vz::parse_ctid("101") == 101u);
    BOOST_TEST(vz::parse_ctid("2147483644") == vz::kVeidMax);
    for (const char *bad : {"-1", "2147483645", "abc", "", "12a", " 101", "101 ", "+5", "0x10",
                            "99999999999999999999999", "1.0"}) {
        std::string message;
        BOOST_TEST(error_code_of([&] { vz::parse_ctid(bad); }, &message) ==
                       vz::VZ_INVALID_PARAMETER_VALUE,
                   "value '" << bad << "'");
        BOOST_TEST(message == std::string("Bad CT ID ") + bad);
    }
}

BOOST_AUTO_TEST_CASE(names_resolve_through_symlinks) {
    TempDir dir;
    ConfDirEnv env(dir.path);
    fs::create_directories(dir.path / "names");
    fs::create_symlink("../conf/101.conf", dir.path / "names" / "web");
    fs::create_symlink(dir.path / "conf" / "202.conf", dir.path / "names" / "db");
    fs::create_symlink("../conf/garbage", dir.path / "names" / "junk");
    write_text(dir.path / "names" / "plainfile", "");
    BOOST_TEST(vz::ctid_by_name("web").value() == 101u);
    BOOST_TEST(vz::ctid_by_name("db").value() == 202u);
    BOOST_TEST(!vz::ctid_by_name("junk").has_value());
    BOOST_TEST(!vz::ctid_by_name("plainfile").has_value());
    BOOST_TEST(!vz::ctid_by_name("nope").has_value());
    BOOST_TEST(!vz::ctid_by_name("../names/web").has_value());
    BOOST_TEST(vz::resolve_ctid("web") == 101u);
    BOOST_TEST(vz::resolve_ctid("303") == 303u);
    std::string message;
    BOOST_TEST(error_code_of([] { vz::resolve_ctid("nope"); }, &message) ==
               vz::VZ_INVALID_PARAMETER_VALUE);
    BOOST_TEST(message == "Bad CT ID nope");
    BOOST_TEST(error_code_of([] { vz::resolve_ctid("2147483645"); }) ==
               vz::VZ_INVALID_PARAMETER_VALUE);
}
