// Named steps of the commands that change a container's state (create,
// start, set, stop, destroy, mount, umount). tests/integration/t_kill_steps.sh
// kills vzctl at each one to show that an interruption anywhere leaves a
// state the next command handles and nothing leaked (docs/testing.md,
// "Killed at every step").
#pragma once

#include <string_view>

namespace vz {

// With VZKIT_STEP_LOG=FILE in the environment, appends name and a newline to
// FILE; with VZKIT_KILL_AT=name, the process kills itself with SIGKILL here,
// as the OOM killer or a power cut would stop it. Otherwise nothing.
void step(std::string_view name);

} // namespace vz
