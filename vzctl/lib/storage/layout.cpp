// The table of layouts and the choice among them.
#include "vzkit/storage/layout.h"

#include "vzkit/base/error.h"
#include "vzkit/storage/lvm.h"
#include "vzkit/storage/overlay.h"

#include <algorithm>
#include <array>

namespace vz {
namespace {

// A new layout adds its line here.
constexpr std::array<const Layout *, 3> kLayouts = {&kSimfsLayout, &kOverlayLayout, &kLvmLayout};

} // namespace

std::span<const Layout *const> layouts() {
    return kLayouts;
}

const Layout &find_layout(std::string_view name) {
    auto it = std::ranges::find(kLayouts, name, &Layout::name);
    if (it == kLayouts.end())
        throw Error(VZ_PLOOP_UNSUP, "Layout " + std::string(name) + " is not supported; use simfs");
    return **it;
}

const Layout &layout_of(const CtConfig &config) {
    const auto name = config.get("VE_LAYOUT");
    return name && !name->empty() ? find_layout(*name) : *kLayouts.front();
}

} // namespace vz
