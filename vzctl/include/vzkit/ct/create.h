// create and destroy: a private area from an OS template plus <CTID>.conf
// from a sample, and their removal. Neither leaves anything half done.
#pragma once

#include "vzkit/base/ct_config.h"

#include <optional>
#include <string>
#include <vector>

namespace vz {

struct CreateOptions {
    std::optional<std::string> ostemplate;
    std::optional<std::string> config; // sample name: ve-<config>.conf-sample
    std::optional<std::string> private_path;
    std::optional<std::string> root_path;
    std::vector<std::string> ipadd; // --ipadd values, checked as `set --ipadd` checks them
    std::optional<std::string> hostname;
    std::optional<std::string> name;
    std::optional<std::string> description;
    std::optional<std::string> layout; // --layout; else VE_LAYOUT (vzkit/storage/layout.h)
};

// The config must come from CtConfig::load(ctid); the caller holds the CT lock.
// An existing <CTID>.conf without a private area is a leftover create reuses;
// with one, the container exists (VZ_FS_PRVT_AREA_EXIST) unless --config.
void create_ct(CtConfig &config, const CreateOptions &options);
void destroy_ct(CtConfig &config);

// /etc/vz/names/<name> → <CTID>.conf. Throws Error(VZ_SET_NAME_ERROR) when the
// name is taken by another container or has characters OpenVZ refuses.
void set_ct_name(Ctid ctid, const std::string &name);
void remove_ct_names(Ctid ctid);

} // namespace vz
