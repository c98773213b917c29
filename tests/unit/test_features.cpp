// FEATURES="name:on|off ...": OpenVZ's names plus nesting, merged as
// --features arguments are.
#define BOOST_TEST_MODULE features
#include <boost/test/unit_test.hpp>

#include "vzkit/base/error.h"
#include "vzkit/ct/features.h"

BOOST_AUTO_TEST_CASE(merges_command_line_items_into_the_config_form) {
    BOOST_TEST(vz::merge_features_setting("", "nesting:on,nfs:off") == "nesting:on nfs:off");
    BOOST_TEST(vz::merge_features_setting("nfs:on ppp:on", "NFS:off") == "nfs:off ppp:on");
    BOOST_TEST(vz::merge_features_setting("nesting:on", "nesting:off") == "nesting:off");
}

BOOST_AUTO_TEST_CASE(refuses_unknown_names_and_states) {
    auto code = [](const char *update) {
        try {
            vz::merge_features_setting("", update);
        } catch (const vz::Error &e) {
            return e.code();
        }
        return 0;
    };
    BOOST_TEST(code("userns:on") == vz::VZ_INVALID_PARAMETER_VALUE);
    BOOST_TEST(code("nesting:maybe") == vz::VZ_INVALID_PARAMETER_VALUE);
    BOOST_TEST(code("nesting") == vz::VZ_INVALID_PARAMETER_VALUE);
}

BOOST_AUTO_TEST_CASE(a_hand_edited_unknown_name_is_dropped_not_fatal) {
    BOOST_TEST(vz::merge_features_setting("bogus:on nfs:on", "nesting:on") == "nfs:on nesting:on");
}
