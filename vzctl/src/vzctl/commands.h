// One handler per vzctl command: its options, then the core library call.
#pragma once

#include "vzkit/base/ct_config.h"

#include <string>
#include <vector>

namespace vzctl {

using Handler = int (*)(vz::CtConfig &config, const std::vector<std::string> &args);

int cmd_create(vz::CtConfig &config, const std::vector<std::string> &args);
int cmd_destroy(vz::CtConfig &config, const std::vector<std::string> &args);
int cmd_start(vz::CtConfig &config, const std::vector<std::string> &args);
int cmd_stop(vz::CtConfig &config, const std::vector<std::string> &args);
int cmd_restart(vz::CtConfig &config, const std::vector<std::string> &args);
int cmd_status(vz::CtConfig &config, const std::vector<std::string> &args);
int cmd_mount(vz::CtConfig &config, const std::vector<std::string> &args);
int cmd_umount(vz::CtConfig &config, const std::vector<std::string> &args);
int cmd_set(vz::CtConfig &config, const std::vector<std::string> &args);
int cmd_exec(vz::CtConfig &config, const std::vector<std::string> &args);
int cmd_exec2(vz::CtConfig &config, const std::vector<std::string> &args);
int cmd_enter(vz::CtConfig &config, const std::vector<std::string> &args);
int cmd_runscript(vz::CtConfig &config, const std::vector<std::string> &args);

} // namespace vzctl
