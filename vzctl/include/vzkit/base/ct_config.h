// Where configuration lives, and one container's effective configuration:
// global vz.conf < <CTID>.conf < command line.
#pragma once

#include "vzkit/base/config.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace vz {

using Ctid = unsigned;
inline constexpr Ctid kVeidMax = 2147483644; // VEID_MAX of OpenVZ

// "101" → 101. Throws Error(VZ_INVALID_PARAMETER_VALUE, "Bad CT ID <text>").
Ctid parse_ctid(std::string_view text);

// The configuration directory: $VZ_CONFDIR, default /etc/vz. Tests and CI point
// it elsewhere so that they never touch the host's /etc/vz.
std::filesystem::path conf_dir();
std::filesystem::path global_conf_path();                      // <confdir>/vz.conf
std::filesystem::path ct_conf_dir();                           // <confdir>/conf
std::filesystem::path ct_conf_path(Ctid ctid);                 // <confdir>/conf/<CTID>.conf
std::filesystem::path sample_conf_path(std::string_view name); // conf/ve-<name>.conf-sample
std::filesystem::path names_dir();                             // <confdir>/names
std::filesystem::path dists_dir();                             // <confdir>/dists

// /etc/vz/names/<name> → <CTID>.conf symlink resolution; nullopt if unknown.
std::optional<Ctid> ctid_by_name(std::string_view name);
// A CTID or a name, as vzctl accepts it. Throws Error(21, "Bad CT ID ...").
Ctid resolve_ctid(std::string_view text);

class CtConfig {
  public:
    // Reads vz.conf (missing → Error(VZ_NOCONFIG)) and <CTID>.conf if present.
    static CtConfig load(Ctid ctid);
    // Same with an already parsed vz.conf, for tools that read many containers
    // (vzlist) and must not parse vz.conf once per CT. The caller decides
    // whether a missing vz.conf is an error and reports its warnings.
    static CtConfig load(Ctid ctid, const ConfigFile &global);

    Ctid ctid() const { return ctid_; }
    ConfigFile &global() { return global_; }
    const ConfigFile &global() const { return global_; }
    ConfigFile &ct() { return ct_; }
    const ConfigFile &ct() const { return ct_; }
    bool ct_exists() const { return ct_.exists(); }

    // Command-line layer: the highest precedence.
    void set_override(std::string_view key, std::string_view value);
    const std::map<std::string, std::string, std::less<>> &overrides() const { return overrides_; }

    // Effective value: command line, then <CTID>.conf, then vz.conf.
    std::optional<std::string> get(std::string_view key) const;
    std::string get_or(std::string_view key, std::string_view fallback) const;
    bool get_bool(std::string_view key, bool fallback) const; // yes/no
    std::optional<std::int64_t> get_int(std::string_view key) const;

    // VE_ROOT and VE_PRIVATE with $VEID / ${VEID} substituted.
    std::filesystem::path ve_root() const;      // throws Error(VZ_VE_ROOT_NOTSET)
    std::filesystem::path ve_private() const;   // throws Error(VZ_VE_PRIVATE_NOTSET)
    std::filesystem::path template_dir() const; // TEMPLATE, default /vz/template
    std::filesystem::path lock_dir() const;     // LOCKDIR, default /vz/lock
    std::filesystem::path ct_conf_path() const { return vz::ct_conf_path(ctid_); }

  private:
    Ctid ctid_ = 0;
    ConfigFile global_;
    ConfigFile ct_;
    std::map<std::string, std::string, std::less<>> overrides_;
};

// "$VEID" and "${VEID}" replaced by the CTID.
std::string substitute_veid(std::string_view text, Ctid ctid);

} // namespace vz
