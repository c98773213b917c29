// A configuration directory of its own for a test (VZ_CONFDIR, removed at the
// end): vz.conf with VE_ROOT, VE_PRIVATE, TEMPLATE and LOCKDIR inside it, plus
// what the test adds; and the exit code a vz::Error carries.
#pragma once

#include "temp_dir.h"

#include "vzkit/base/ct_config.h"
#include "vzkit/base/error.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace vztest {

class ConfDir {
  public:
    explicit ConfDir(const std::string &prefix, const std::string &extra_vz_conf = "")
        : dir_(prefix) {
        std::filesystem::create_directories(path() / "conf");
        std::filesystem::create_directories(path() / "names");
        std::filesystem::create_directories(path() / "template/cache");
        std::ofstream(path() / "vz.conf")
            << "VE_ROOT=" << (path() / "root/$VEID").string()
            << "\nVE_PRIVATE=" << (path() / "private/$VEID").string()
            << "\nTEMPLATE=" << (path() / "template").string()
            << "\nLOCKDIR=" << (path() / "lock").string() << "\n"
            << extra_vz_conf;
        ::setenv("VZ_CONFDIR", path().c_str(), 1);
    }
    ~ConfDir() { ::unsetenv("VZ_CONFDIR"); }
    ConfDir(const ConfDir &) = delete;
    ConfDir &operator=(const ConfDir &) = delete;

    const std::filesystem::path &path() const { return dir_.path; }
    void write_ct_conf(vz::Ctid ctid, const std::string &text) const {
        std::ofstream(path() / "conf" / (std::to_string(ctid) + ".conf")) << text;
    }
    std::filesystem::path private_dir(vz::Ctid ctid) const {
        return path() / "private" / std::to_string(ctid);
    }

  private:
    TempDir dir_;
};

// The exit code vz::Error carries, or 0 when body does not throw.
template <typename Body> int code_of(Body body) {
    try {
        body();
    } catch (const vz::Error &e) {
        return e.code();
    }
    return 0;
}

} // namespace vztest
