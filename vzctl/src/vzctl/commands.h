// One handler per vzctl command: its options, then the core library call.
#pragma once

#include "vzkit/ve_config.h"

#include <string>
#include <vector>

namespace vzctl {

using Handler = int (*)(vz::VeConfig &config, const std::vector<std::string> &args);

int cmd_create(vz::VeConfig &config, const std::vector<std::string> &args);
int cmd_destroy(vz::VeConfig &config, const std::vector<std::string> &args);
int cmd_start(vz::VeConfig &config, const std::vector<std::string> &args);
int cmd_stop(vz::VeConfig &config, const std::vector<std::string> &args);
int cmd_restart(vz::VeConfig &config, const std::vector<std::string> &args);
int cmd_status(vz::VeConfig &config, const std::vector<std::string> &args);
int cmd_mount(vz::VeConfig &config, const std::vector<std::string> &args);
int cmd_umount(vz::VeConfig &config, const std::vector<std::string> &args);
int cmd_set(vz::VeConfig &config, const std::vector<std::string> &args);
int cmd_exec(vz::VeConfig &config, const std::vector<std::string> &args);
int cmd_exec2(vz::VeConfig &config, const std::vector<std::string> &args);
int cmd_enter(vz::VeConfig &config, const std::vector<std::string> &args);
int cmd_runscript(vz::VeConfig &config, const std::vector<std::string> &args);

} // namespace vzctl
