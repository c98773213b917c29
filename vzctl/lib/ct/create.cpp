#include "vzkit/ct/create.h"
#include "vzkit/net/options.h"

#include "vzkit/ct/state.h"
#include "vzkit/dist/actions.h"
#include "vzkit/base/error.h"
#include "vzkit/base/step.h"
#include "vzkit/ct/hooks.h"
#include "vzkit/base/log.h"
#include "vzkit/storage/layout.h"
#include "vzkit/ct/template.h"
#include "vzkit/base/util.h"

#include <unistd.h>

#include <algorithm>

namespace fs = std::filesystem;

namespace vz {
namespace {

bool dir_empty(const fs::path &dir) {
    std::error_code ec;
    return fs::is_empty(dir, ec) || ec == std::errc::no_such_file_or_directory;
}

ConfigFile load_sample(const CtConfig &config, const CreateOptions &options) {
    if (config.ct_exists()) {
        if (options.config)
            throw Error(VZ_CP_CONFIG, "Container config file " + config.ct_conf_path().string() +
                                          " already exists; remove it or drop --config");
        return config.ct();
    }
    const std::string name =
        options.config.value_or(config.global().get("CONFIGFILE").value_or("vswap-256m"));
    const auto sample = sample_conf_path(name);
    ConfigFile file = ConfigFile::load(sample);
    if (!file.exists())
        throw Error(VZ_CP_CONFIG, "Sample config " + sample.string() + " not found");
    file.set("ORIGIN_SAMPLE", name);
    return file;
}

void run_create_hook(const CtConfig &config) {
    auto hook = ct_conf_dir() / "vps.create";
    if (access(hook.c_str(), F_OK) != 0)
        return;
    int rc = run_host_program({"/bin/sh", hook.string()},
                              {{"VEID", std::to_string(config.ctid())},
                               {"VE_CONFFILE", config.ct_conf_path().string()},
                               {"PATH", std::string(kScriptPath)}});
    if (rc != 0)
        log_warning(hook.string() + " exited with " + std::to_string(rc));
}

} // namespace

void create_ct(CtConfig &config, const CreateOptions &options) {
    if (options.layout)
        find_layout(*options.layout); // refused before anything else is looked at
    if (fs::exists(config.ct_conf_path()) && !options.config) {
        std::error_code ec;
        if (config.get("VE_PRIVATE") && fs::exists(config.ve_private(), ec) &&
            !fs::is_empty(config.ve_private(), ec))
            throw Error(VZ_FS_PRVT_AREA_EXIST,
                        "Container " + std::to_string(config.ctid()) + " already exists");
    }
    const std::optional<std::string> ipadd =
        options.ipadd.empty()
            ? std::nullopt
            : std::optional(net::ip_address_value(options.ipadd, {}, config));
    ConfigFile conf = load_sample(config, options);
    config.ct() = conf;
    auto put = [&config](std::string_view key, const std::optional<std::string> &value) {
        if (value)
            config.set_override(key, *value);
    };
    put("VE_PRIVATE", options.private_path);
    put("VE_ROOT", options.root_path);
    put("HOSTNAME", options.hostname);
    put("NAME", options.name);
    put("DESCRIPTION", options.description);
    put("IP_ADDRESS", ipadd);
    const Layout &layout = options.layout ? find_layout(*options.layout) : layout_of(config);

    if (!config.get("TEMPLATE"))
        throw Error(VZ_VE_TMPL_NOTSET, "TEMPLATE is not set");
    const fs::path private_dir = config.ve_private();
    config.ve_root();
    const auto ostemplate = options.ostemplate         ? options.ostemplate
                            : config.get("OSTEMPLATE") ? config.get("OSTEMPLATE")
                                                       : config.get("DEF_OSTEMPLATE");
    if (!ostemplate || ostemplate->empty())
        throw Error(VZ_VE_OSTEMPLATE_NOTSET, "OS template is not specified (use --ostemplate)");
    if (!dir_empty(private_dir))
        throw Error(VZ_FS_PRVT_AREA_EXIST,
                    "Private area already exists in " + private_dir.string());
    if (is_mount_point(private_dir))
        throw Error(VZ_FS_NEW_VE_PRVT, private_dir.string() + " is a mount point");
    const std::string tmpl_name = fs::path(*ostemplate).filename().string();
    auto tarball = find_template(config.template_dir(), tmpl_name);
    if (!tarball)
        throw Error(VZ_OSTEMPLATE_NOT_FOUND,
                    "Cached OS template " + (config.template_dir() / "cache" / tmpl_name).string() +
                        ".tar.{gz,bz2,xz,zst} not found");
    if (options.name)
        set_ct_name(config.ctid(), *options.name); // checked before any unpacking

    try {
        // The config is saved only once the private area is ready
        // (Layout::create): an interrupted unpack leaves none.
        ConfigFile &ct = config.ct();
        for (const auto &key :
             {"VE_ROOT", "VE_PRIVATE", "HOSTNAME", "NAME", "DESCRIPTION", "IP_ADDRESS"}) {
            auto it = config.overrides().find(key);
            if (it != config.overrides().end())
                ct.set(key, it->second);
        }
        if (!ct.contains("VE_ROOT"))
            ct.set("VE_ROOT", config.get("VE_ROOT").value_or(""));
        if (!ct.contains("VE_PRIVATE"))
            ct.set("VE_PRIVATE", config.get("VE_PRIVATE").value_or(""));
        ct.set("OSTEMPLATE", tmpl_name);
        ct.set("VE_LAYOUT", std::string(layout.name));
        // Every config names whether the CT starts at boot, as OpenVZ's
        // samples had it: libvirt's OpenVZ driver reads ONBOOT and fails
        // without it. vzkit starts nothing at boot by itself: "no".
        if (!ct.contains("ONBOOT"))
            ct.set("ONBOOT", "no");
        layout.create(config, TemplateSource{*tarball, tmpl_name}, [&] {
            fs::create_directories(ct_conf_dir());
            ct.save(config.ct_conf_path());
        });
    } catch (...) {
        if (options.name)
            remove_ct_names(config.ctid());
        throw;
    }
    try {
        dist::configure_on_create(config); // POST_CREATE, on the host as OpenVZ
    } catch (const Error &e) {
        log_warning(e.what());
    }
    run_create_hook(config);
    log_info("Container private area was created");
}

void destroy_ct(CtConfig &config) {
    if (is_running(config.ctid()))
        throw Error(VZ_VE_RUNNING, "Container is currently running. Stop it first.");
    if (is_mounted(config))
        throw Error(VZ_FS_MOUNTED, "Container is currently mounted (umount first)");
    layout_of(config).destroy(config);
    step("destroy.private_removed");
    std::error_code ec;
    // The config and its action scripts are kept as *.destroyed, as OpenVZ does.
    const std::string id = std::to_string(config.ctid());
    for (const auto *suffix :
         {".conf", ".mount", ".umount", ".premount", ".postumount", ".start", ".stop"}) {
        fs::path file = ct_conf_dir() / (id + suffix);
        if (fs::exists(file, ec))
            fs::rename(file, fs::path(file.string() + ".destroyed"), ec);
    }
    rmdir(config.ve_root().c_str());
    remove_ct_names(config.ctid());
    log_info("Container private area was destroyed");
}

void set_ct_name(Ctid ctid, const std::string &name) {
    const bool valid = !name.empty() && std::ranges::all_of(name, [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) ||
               std::string_view("-+_. ").find(c) != std::string_view::npos;
    });
    // OpenVZ allows a name of digits alone (libvirt names every CT by its
    // CTID: --name 101). On the command line digits always mean a CTID, so
    // such a name only finds its CT through vzlist and names/.
    if (!valid)
        throw Error(VZ_SET_NAME_ERROR, "Invalid container name '" + name +
                                           "': use letters, digits, spaces and -+_.");
    auto owner = ctid_by_name(name);
    if (owner && *owner != ctid)
        throw Error(VZ_SET_NAME_ERROR,
                    "Name " + name + " is already used by container " + std::to_string(*owner));
    remove_ct_names(ctid);
    std::error_code ec;
    fs::create_directories(names_dir(), ec);
    fs::path link = names_dir() / name;
    fs::remove(link, ec);
    fs::create_symlink(ct_conf_path(ctid), link, ec);
    if (ec)
        throw Error(VZ_SET_NAME_ERROR, "Unable to create " + link.string() + ": " + ec.message());
}

void remove_ct_names(Ctid ctid) {
    std::error_code ec;
    for (const auto &entry : fs::directory_iterator(names_dir(), ec)) {
        std::error_code ec2;
        if (entry.is_symlink(ec2) &&
            fs::read_symlink(entry.path(), ec2).filename() == std::to_string(ctid) + ".conf")
            fs::remove(entry.path(), ec2);
    }
}

} // namespace vz
