#define BOOST_TEST_MODULE error
#include <boost/test/unit_test.hpp>

#include "vzkit/base/error.h"

#include <cerrno>
#include <cstring>
#include <set>
#include <string>

BOOST_AUTO_TEST_CASE(table_is_sorted_and_unique) {
    auto codes = vz::exit_codes();
    BOOST_REQUIRE(!codes.empty());
    std::set<std::string_view> names;
    for (std::size_t i = 0; i < codes.size(); ++i) {
        if (i > 0)
            BOOST_TEST(codes[i - 1].code < codes[i].code, "at " << codes[i].name);
        BOOST_TEST(!codes[i].name.empty());
        BOOST_TEST(!codes[i].message.empty());
        BOOST_TEST(names.insert(codes[i].name).second, "duplicate name " << codes[i].name);
    }
    BOOST_TEST(codes.front().code == 0);
}

BOOST_AUTO_TEST_CASE(contract_codes_are_present) {
    struct Expected {
        int code;
        std::string_view name;
    };
    for (const Expected &e :
         {Expected{9, "VZ_LOCKED"}, Expected{32, "VZ_VE_RUNNING"},
          Expected{91, "VZ_OSTEMPLATE_NOT_FOUND"}, Expected{21, "VZ_INVALID_PARAMETER_VALUE"},
          Expected{3, "VZ_SYSTEM_ERROR"}, Expected{10, "VZ_NOCONFIG"},
          Expected{139, "VZ_CONFIG_SAVE_ERROR"}}) {
        const vz::ExitCodeInfo *info = vz::find_exit_code(e.code);
        BOOST_REQUIRE_MESSAGE(info != nullptr, "code " << e.code);
        BOOST_TEST(info->code == e.code);
        BOOST_TEST(info->name == e.name);
    }
    BOOST_TEST(vz::VZ_LOCKED == 9);
    BOOST_TEST(vz::VZ_VE_RUNNING == 32);
    BOOST_TEST(vz::VZ_OSTEMPLATE_NOT_FOUND == 91);
    BOOST_TEST(vz::VZ_INVALID_PARAMETER_VALUE == 21);
}

BOOST_AUTO_TEST_CASE(unknown_codes_are_not_found) {
    BOOST_TEST(vz::find_exit_code(4) == nullptr);
    BOOST_TEST(vz::find_exit_code(-1) == nullptr);
    BOOST_TEST(vz::find_exit_code(1000) == nullptr);
}

BOOST_AUTO_TEST_CASE(error_carries_code_and_message) {
    vz::Error e(vz::VZ_LOCKED, "Container already locked");
    BOOST_TEST(e.code() == 9);
    BOOST_TEST(std::string(e.what()) == "Container already locked");
}

BOOST_AUTO_TEST_CASE(throw_errno_appends_strerror) {
    errno = ENOENT;
    try {
        vz::throw_errno(vz::VZ_SYSTEM_ERROR, "Unable to open /x");
    } catch (const vz::Error &e) {
        BOOST_TEST(e.code() == vz::VZ_SYSTEM_ERROR);
        BOOST_TEST(std::string(e.what()) ==
                   std::string("Unable to open /x: ") + std::strerror(ENOENT));
        return;
    }
    BOOST_FAIL("throw_errno returned");
}
