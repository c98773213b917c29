// vzkit/cgroup/freeze.h: the freezer of a container's group.
#include "vzkit/cgroup/freeze.h"

#include "vzkit/base/error.h"
#include "vzkit/base/log.h"
#include "vzkit/base/util.h"

#include <chrono>
#include <thread>

namespace fs = std::filesystem;

namespace vz {
namespace {

bool v2(const Cgroup &cgroup) {
    return cgroup.mode() == CgroupMode::V2;
}

fs::path state_file(const Cgroup &cgroup) {
    return freezer_dir(cgroup) / (v2(cgroup) ? "cgroup.freeze" : "freezer.state");
}

void write_state(const Cgroup &cgroup, bool on, int code) {
    const fs::path file = state_file(cgroup);
    try {
        write_file(file, v2(cgroup) ? (on ? "1" : "0") : (on ? "FROZEN" : "THAWED"));
    } catch (const std::exception &e) {
        throw Error(code, "Unable to write " + file.string() + ": " + e.what());
    }
}

// What the kernel reached (not what was asked): v2 says it in cgroup.events,
// v1 shows FREEZING until every task stopped.
bool reached(const Cgroup &cgroup, bool on) {
    if (v2(cgroup)) {
        const auto events = read_file(freezer_dir(cgroup) / "cgroup.events").value_or("");
        return events.find(on ? "frozen 1" : "frozen 0") != std::string::npos;
    }
    return trim(read_file(state_file(cgroup)).value_or("")) == (on ? "FROZEN" : "THAWED");
}

} // namespace

fs::path freezer_dir(const Cgroup &cgroup) {
    return v2(cgroup) ? cgroup.all_paths().front() : cgroup.path("freezer");
}

bool is_frozen(const Cgroup &cgroup) {
    return cgroup.exists() && reached(cgroup, true);
}

void set_frozen(const Cgroup &cgroup, bool on, int code) {
    write_state(cgroup, on, code);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!reached(cgroup, on)) {
        if (std::chrono::steady_clock::now() > deadline) {
            if (on)
                write_state(cgroup, false, code);
            throw Error(code, std::string("The container's processes did not ") +
                                  (on ? "freeze" : "thaw") + " in 10 s");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

CgroupFreeze::CgroupFreeze(Ctid ctid, int code) : cgroup_(ctid), code_(code) {
    set_frozen(cgroup_, true, code_);
}

CgroupFreeze::~CgroupFreeze() {
    try {
        write_state(cgroup_, false, code_);
    } catch (const Error &e) {
        log_warning(std::string("Unable to thaw the container: ") + e.what());
    }
}

} // namespace vz
