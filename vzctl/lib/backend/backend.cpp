// Choosing the backend: once per process, from /dev/vzctl.
#include "vzkit/backend/backend.h"

#include "vzkit/base/error.h"
#include "vzkit/backend/device.h"

namespace vz {
namespace {

const Backend *g_choice = nullptr;

// Device::open() and shared() tell "no module" (nullopt) from "a module we
// may not use" (an Error): the latter is still the module.
template <typename Probe> const Backend &choose(Probe probe) {
    try {
        return probe() ? kModuleBackend : kCgroupBackend;
    } catch (const Error &) {
        return kModuleBackend;
    }
}

} // namespace

const Backend &probe_backend() {
    return choose([] { return kmod::Device::shared() != nullptr; });
}

const Backend &probe_backend(const std::filesystem::path &device) {
    return choose([&] { return kmod::Device::open(device).has_value(); });
}

const Backend &backend() {
    if (!g_choice)
        g_choice = &probe_backend();
    return *g_choice;
}

void set_backend(const Backend *choice) {
    g_choice = choice;
}

} // namespace vz
