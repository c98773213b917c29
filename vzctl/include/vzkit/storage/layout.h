// A container's storage as a table of operations: the layout VE_LAYOUT names.
// The lifecycle (create, mount, umount, destroy) calls the layout and keeps
// what is the same for every layout (checks, hooks, messages) to itself.
// A layout is one file: storage_<name>.cpp defining its Layout, plus its line
// in the table of storage.cpp.
#pragma once

#include "vzkit/base/ct_config.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <string_view>

namespace vz {

// The OS template a container is created from.
struct TemplateSource {
    std::filesystem::path tarball; // the cached tarball
    std::string name;              // as OSTEMPLATE stores it
};

struct StorageUsage {
    std::uint64_t bytes = 0;  // allocated, each inode once
    std::uint64_t inodes = 0; // files, directories, links ..., each once
    bool operator==(const StorageUsage &) const = default;
};

struct Layout {
    std::string_view name; // VE_LAYOUT
    // Whether the private area is there to be mounted.
    bool (*exists)(const CtConfig &config);
    // Makes the private area from source and runs commit (which writes the
    // config) once it is ready, just before it takes its place. When anything
    // of it fails, commit included, nothing of the private area is left;
    // killed between the two, the config is left without a private area,
    // which status shows as deleted and create and destroy handle.
    void (*create)(const CtConfig &config, const TemplateSource &source,
                   const std::function<void()> &commit);
    // The private area on VE_ROOT (created if missing): no hooks, no checks.
    void (*mount)(const CtConfig &config);
    // Everything mounted at or below VE_ROOT, deepest first.
    void (*umount)(const CtConfig &config);
    // Removes the private area (saying so); nothing when there is none.
    void (*destroy)(const CtConfig &config);
    // What the private area takes on disk.
    StorageUsage (*usage)(const CtConfig &config);
    // Grows or shrinks the disk to bytes.
    void (*resize)(const CtConfig &config, std::uint64_t bytes);
    // A copy of the private area as it is now, at dest.
    void (*snapshot)(const CtConfig &config, const std::filesystem::path &dest);
};

// VE_PRIVATE bind-mounted on VE_ROOT: what OpenVZ's simfs becomes on a stock
// kernel. It cannot resize or snapshot (Error(VZ_PLOOP_UNSUP)).
extern const Layout kSimfsLayout;

// Every layout, the default (simfs) first.
std::span<const Layout *const> layouts();
// Throws Error(VZ_PLOOP_UNSUP) for a name that is no layout, as vzctl create
// --layout always refused it.
const Layout &find_layout(std::string_view name);
// The container's: VE_LAYOUT, simfs when unset or empty.
const Layout &layout_of(const CtConfig &config);

} // namespace vz
