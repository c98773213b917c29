// Per-distribution definitions (dists/): which script performs each OpenVZ
// action inside a container, chosen from OSTEMPLATE as OpenVZ does, else from
// what the container itself runs (/etc/os-release and its network stack).
//
// dists/<family>.yaml (read with yaml-cpp):
//   name: debian
//   ostemplates: [debian, ubuntu]        # OSTEMPLATE names, after -suffix stripping
//   os_release: [debian, ubuntu]         # /etc/os-release ID or ID_LIKE values
//   actions: {SET_HOSTNAME: debian-set_hostname.sh, SET_DNS: set_dns.sh, ...}
//   network:                             # ADD_IP/DEL_IP by network stack, preferred first
//     - {stack: ifupdown, ADD_IP: ifupdown-add_ip.sh, DEL_IP: ifupdown-del_ip.sh}
// dists/<name>.conf (OpenVZ's legacy format): ADD_IP=script.sh, one per line.
// Scripts live in dists/scripts/.
#pragma once

#include "vzkit/dist/detect.h"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vz::dist {

enum class Action {
    AddIp,
    DelIp,
    SetHostname,
    SetDns,
    SetUserpass,
    SetUgidQuota,
    PostCreate,
    PreStart,
    SetConsole,
};
std::string_view action_key(Action action); // "ADD_IP", ...
std::optional<Action> parse_action(std::string_view key);


struct NetworkScripts {
    std::string stack;
    std::map<Action, std::string> scripts; // ADD_IP, DEL_IP
};

struct YamlDefinition {
    std::string name;
    std::vector<std::string> ostemplates;
    std::vector<std::string> os_release;
    std::map<Action, std::string> actions;
    std::vector<NetworkScripts> network;
};
// Throws Error(VZ_NO_DISTR_CONF) naming the file and the problem.
YamlDefinition parse_yaml_definition(std::string_view text, const std::string &source);
// KEY=script lines; unknown keys are ignored, as OpenVZ does.
std::map<Action, std::string> parse_legacy_conf(std::string_view text);

// The definition a container gets: action → script file name.
struct Definition {
    std::filesystem::path file; // where it came from
    std::string stack;          // the network stack whose ADD_IP/DEL_IP it uses
    std::map<Action, std::string> scripts;
};

// OSTEMPLATE's basename and each -suffix stripped (centos-7-x86_64, centos-7,
// centos): <name>.conf, else a YAML whose name or ostemplates match; then
// detected.id and each of detected.id_like against os_release; then
// default.yaml (or the legacy "default") with a warning naming what was
// detected. Throws Error(VZ_NO_DISTR_CONF) when there is not even a default.
Definition choose(const std::filesystem::path &dists_dir, std::string_view ostemplate,
                  const Detected &detected);

} // namespace vz::dist
