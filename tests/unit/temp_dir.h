// A scratch directory for a unit test, removed with everything in it when the
// test ends (also when a check fails).
#pragma once

#include <boost/test/unit_test.hpp>

#include <stdlib.h>

#include <filesystem>
#include <string>
#include <system_error>

namespace vztest {

class TempDir {
public:
    explicit TempDir(const std::string &prefix = "vzkit-test") {
        std::string templ =
            (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
        BOOST_REQUIRE(::mkdtemp(templ.data()) != nullptr);
        path = templ;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    TempDir(const TempDir &) = delete;
    TempDir &operator=(const TempDir &) = delete;

    std::filesystem::path path;
};

} // namespace vztest
