// What a container's own tree says it runs: /etc/os-release and its network
// stack, read without ever leaving the tree.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace vz::dist {

// What a container's tree says about itself.
struct Detected {
    std::string id;                   // os-release ID
    std::vector<std::string> id_like; // os-release ID_LIKE
    std::string version_id;
    std::string network;          // "ifupdown", "netplan", ... or "" when none is found
    std::string describe() const; // "ID=debian VERSION_ID=12 network=ifupdown"
};

// The network stacks detect() knows, in the order they are tried.
const std::vector<std::string_view> &network_stacks();

// Reads the tree rooted at root without ever leaving it: every path is
// resolved as if root were "/" (openat2 RESOLVE_IN_ROOT), so a symlink in a
// container cannot make vzctl read a host file.
Detected detect(const std::filesystem::path &root);
// Parses os-release text (KEY=value, quoted or not).
std::map<std::string, std::string> parse_os_release(std::string_view text);

} // namespace vz::dist
