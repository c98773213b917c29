// The policy of vzctl's commands, which lives in the library (docs/architecture.md):
// create refuses an existing container but reuses a leftover config, refuses
// an unknown layout and a bad address before touching anything; set --save
// needs the container's config; umount and runscript say what is missing.
#define BOOST_TEST_MODULE ct_commands
#include "conf_dir.h"

#include "vzkit/base/error.h"
#include "vzkit/ct/create.h"
#include "vzkit/ct/enter.h"
#include "vzkit/ct/fs.h"
#include "vzkit/ct/set.h"

#include <boost/test/unit_test.hpp>


namespace fs = std::filesystem;

namespace {

constexpr vz::Ctid kCtid = 4343;

// A configuration directory whose templates directory is empty: a create
// that got as far as unpacking would fail with "template not found" (91)
// instead of the codes these tests expect.
struct Fixture {
    vztest::ConfDir conf{"vzkit-commands", "DEF_OSTEMPLATE=none\n"};
    fs::path private_dir() const { return conf.private_dir(kCtid); }
    void write_ct_conf() const { conf.write_ct_conf(kCtid, "ONBOOT=\"no\"\n"); }
};

using vztest::code_of;

int create(vz::CreateOptions options) {
    auto config = vz::CtConfig::load(kCtid);
    return code_of([&] { vz::create_ct(config, options); });
}

} // namespace

BOOST_AUTO_TEST_CASE(create_refuses_an_existing_container) {
    Fixture f;
    f.write_ct_conf();
    fs::create_directories(f.private_dir() / "etc");
    BOOST_TEST(create({}) == vz::VZ_FS_PRVT_AREA_EXIST);
}

BOOST_AUTO_TEST_CASE(create_reuses_a_leftover_config) {
    Fixture f;
    f.write_ct_conf(); // no private area: a leftover, create goes on to the template
    BOOST_TEST(create({}) == vz::VZ_OSTEMPLATE_NOT_FOUND);
}

BOOST_AUTO_TEST_CASE(create_refuses_a_layout_it_does_not_have_first) {
    Fixture f;
    f.write_ct_conf();
    fs::create_directories(f.private_dir() / "etc");
    vz::CreateOptions options;
    options.layout = "ploop";
    BOOST_TEST(create(options) == vz::VZ_PLOOP_UNSUP);
    BOOST_TEST(fs::exists(f.private_dir() / "etc"));
}

BOOST_AUTO_TEST_CASE(create_checks_addresses_as_set_does) {
    Fixture f;
    vz::CreateOptions options;
    options.ipadd = {"198.51.100.300"};
    BOOST_TEST(create(options) == vz::VZ_INVALID_PARAMETER_VALUE);
    BOOST_TEST(!fs::exists(f.private_dir()));
}

BOOST_AUTO_TEST_CASE(set_save_needs_the_config) {
    Fixture f;
    auto config = vz::CtConfig::load(kCtid);
    vz::SetOptions options;
    options.save = true;
    BOOST_TEST(code_of([&] { vz::set_ct(config, {{"ONBOOT", "yes"}}, options); }) ==
               vz::VZ_NOVECONFIG);
}

BOOST_AUTO_TEST_CASE(umount_of_a_stopped_unmounted_container) {
    Fixture f;
    f.write_ct_conf();
    const auto config = vz::CtConfig::load(kCtid);
    BOOST_TEST(code_of([&] { vz::umount_stopped_ct(config); }) == vz::VZ_FS_NOT_MOUNTED);
}

BOOST_AUTO_TEST_CASE(runscript_names_a_missing_script) {
    Fixture f;
    f.write_ct_conf();
    const auto config = vz::CtConfig::load(kCtid);
    BOOST_TEST(code_of([&] { vz::run_script(config, f.conf.path() / "no-such-script"); }) ==
               vz::VZ_NOSCRIPT);
}
