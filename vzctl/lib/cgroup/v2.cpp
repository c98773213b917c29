// cgroup v2: delegating controllers down to vz/<CTID> and the one-shot kill.
#include "cgroup/internal.h"

#include "vzkit/base/error.h"
#include "vzkit/base/fd.h"
#include "vzkit/base/util.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>

#include <algorithm>
#include <array>

namespace vz::cg {
namespace {

// What a container's limits need; whatever the kernel lacks is left out, and
// apply() reports a limit that cannot be set.
constexpr std::array<std::string_view, 5> kWantedControllers = {"cpu", "cpuset", "memory", "pids",
                                                                "io"};

// A controller is usable in a group only if every ancestor lists it in its
// cgroup.subtree_control.
void delegate_controllers(const fs::path &dir) {
    const auto available = split_ws(read_value(dir / "cgroup.controllers").value_or(""));
    const auto enabled = split_ws(read_value(dir / "cgroup.subtree_control").value_or(""));
    for (std::string_view controller : kWantedControllers) {
        const bool present = std::ranges::find(available, controller) != available.end();
        const bool done = std::ranges::find(enabled, controller) != enabled.end();
        // One write per controller so that an error names the one that failed.
        if (present && !done)
            write_value(dir / "cgroup.subtree_control", "+" + std::string(controller),
                        VZ_RESOURCE_ERROR);
    }
}

} // namespace

void v2_create(Ctid ctid) {
    const fs::path base = kV2Root / kBaseName;
    delegate_controllers(kV2Root);
    make_dir(base);
    delegate_controllers(base);
    const fs::path group = base / std::to_string(ctid);
    if (!make_dir(group))
        throw Error(VZ_RESOURCE_ERROR, "Cgroup " + group.string() + " already exists");
}

void v2_delegate(const fs::path &group) {
    delegate_controllers(group);
}

bool v2_kill(const fs::path &group) {
    const fs::path file = group / "cgroup.kill";
    return ::access(file.c_str(), F_OK) == 0 && try_write_value(file, "1") == 0;
}

bool v2_wait_unpopulated(const fs::path &group, Clock::time_point deadline) {
    UniqueFd fd(::open((group / "cgroup.events").c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd)
        return false;
    for (;;) {
        // Reading (from the start) re-arms the notification poll() waits for.
        std::array<char, 256> buf{};
        const ssize_t n = ::pread(fd.get(), buf.data(), buf.size() - 1, 0);
        if (n < 0)
            return false;
        for (const auto &line : split(std::string_view(buf.data(), static_cast<std::size_t>(n)), '\n'))
            if (line == "populated 0")
                return true;
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - Clock::now());
        if (left.count() <= 0)
            return false;
        pollfd pfd{.fd = fd.get(), .events = POLLPRI, .revents = 0};
        if (::poll(&pfd, 1, static_cast<int>(left.count())) < 0 && errno != EINTR)
            return false;
    }
}

} // namespace vz::cg
