// The small mount namespace each container's own is copied from, so that a
// start copies one mount whatever the number of running containers
// (docs/architecture.md, "Mount namespaces flat in N"). Private to the core
// library.
#pragma once

#include "vzkit/base/fd.h"

#include <filesystem>

namespace vz::detail {

// An fd of the template namespace pinned at <lock_dir>/mnt-template, made by
// the first start after boot (under <lock_dir>/mnt-template.lock). Invalid
// when the kernel lacks open_tree/move_mount (before 5.2) or the template
// cannot be made (warned): the container's namespace is then a copy of the
// host's, as before.
UniqueFd template_mount_ns(const std::filesystem::path &lock_dir);

} // namespace vz::detail
