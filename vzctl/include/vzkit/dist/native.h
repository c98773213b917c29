// The distribution actions a start needs, done by vzctl itself through the
// container's root (CtRoot) instead of by a shell forked inside it: byte for
// byte what the stock scripts of dists/scripts write, and nothing written
// where the file already says it. Only for a stock script whose installed
// text is the one vzkit was built with: an edited or a different script
// runs as a script (docs/dists.md).
#pragma once

#include "vzkit/dist/ct_root.h"
#include "vzkit/dist/exec.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vz::dist {

// Each `old` is the file's text, empty when the file is missing.
// set_hosts_entry (functions): /etc/hosts with the container's name on the
// line after vzctl's marker, and the loopback lines when they are missing.
std::string render_hosts(std::string_view old, std::string_view hostname, std::string_view ip);
// put_param (functions): NAME="VALUE" replacing the first NAME= line (and
// dropping the others), or appended.
std::string render_shell_param(std::string_view old, std::string_view name, std::string_view value);
// set_dns.sh: the nameservers and search domains given replace the file's.
std::string render_resolv_conf(std::string_view old, std::string_view nameservers,
                               std::string_view searchdomains);
// prestart.sh: pam_loginuid made optional; nullopt when the file has no such line.
std::optional<std::string> render_pam_loginuid(std::string_view text);
// ifupdown-add_ip.sh at start: /etc/network/interfaces with the loopback
// stanza and vzctl's venet0 block for addresses ("a[/p] b ...").
std::string render_ifupdown(std::string_view old, std::string_view addresses);
// {netplan,networkd,nm-keyfile}-add_ip.sh at start: the whole file vzctl
// owns for venet0's addresses ("a[/p] b ...", not empty).
std::string render_netplan(std::string_view addresses);
std::string render_networkd(std::string_view addresses);
std::string render_nm_keyfile(std::string_view addresses);

// Runs the action natively when script (a file name in dists/scripts) has a
// native form and text (functions + script, compose_script) is its stock
// text. Returns false when the script must run instead.
bool run_native(const std::string &script, std::string_view text, const CtRoot &root,
                const ScriptEnv &env);

} // namespace vz::dist
