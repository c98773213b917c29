// overlay: the template unpacked once, read-only, into a versioned base under
// $TEMPLATE/base/<ostemplate>-<version>/root; each container's private area
// holds only its own changes (upper/ and overlayfs's work/) and a marker
// naming its base (VE_PRIVATE/base), mounted as overlayfs on VE_ROOT. See
// docs/storage.md.
#pragma once

#include "vzkit/base/ct_config.h"
#include "vzkit/storage/layout.h"

#include <filesystem>
#include <string>
#include <vector>

namespace vz {

extern const Layout kOverlayLayout;

// One base of the store and the containers whose private areas name it.
struct OverlayBase {
    std::string id;              // <ostemplate>-<16 hex digits>
    std::filesystem::path dir;   // $TEMPLATE/base/<id>
    std::vector<Ctid> users;     // by their private area's marker
    bool mounted = false;        // some overlay mount in this namespace uses it
    bool current = false;        // made from the template tarball as it is now
};

// $TEMPLATE/base.
std::filesystem::path overlay_store(const CtConfig &config);

// Every base of the store, with its users (the store's lock held shared).
std::vector<OverlayBase> overlay_bases(const CtConfig &config);

// Removes every base no container uses and no mount holds, and what an
// interrupted create or gc left in the store (the store's lock held
// exclusively, so no create is half way). Returns the ids removed.
std::vector<std::string> overlay_gc(const CtConfig &config);

} // namespace vz
