#include "commands.h"

#include "options.h"
#include "set_params.h"

#include "vzkit/ct_create.h"
#include "vzkit/ct_enter.h"
#include "vzkit/ct_env.h"
#include "vzkit/ct_fs.h"
#include "vzkit/ct_set.h"
#include "vzkit/ct_state.h"
#include "vzkit/error.h"
#include "vzkit/log.h"
#include "vzkit/net_options.h"
#include "vzkit/storage.h"
#include "vzkit/util.h"

#include <boost/program_options.hpp>

#include <iostream>

namespace po = boost::program_options;

namespace vzctl {
namespace {

std::optional<std::string> opt(const po::variables_map &vm, const char *name) {
    return vm.count(name) ? std::optional(vm[name].as<std::string>()) : std::nullopt;
}

bool flag(const po::variables_map &vm, const char *name) {
    return vm[name].as<bool>();
}

po::options_description start_options() {
    po::options_description desc("start");
    desc.add_options()("wait", po::bool_switch())("force", po::bool_switch())(
        "skip-remount", po::bool_switch())("skip-fsck", po::bool_switch());
    return desc;
}

po::options_description stop_options() {
    po::options_description desc("stop");
    desc.add_options()("fast", po::bool_switch())("skip-umount", po::bool_switch());
    return desc;
}

vz::StartOptions start_from(const po::variables_map &vm) {
    vz::StartOptions o;
    o.wait = flag(vm, "wait");
    o.force = flag(vm, "force");
    o.skip_remount = flag(vm, "skip-remount");
    return o;
}

vz::StopOptions stop_from(const po::variables_map &vm) {
    vz::StopOptions o;
    o.fast = flag(vm, "fast");
    o.skip_umount = flag(vm, "skip-umount");
    return o;
}

void no_arguments(const std::vector<std::string> &args) {
    if (!args.empty())
        throw vz::Error(vz::VZ_INVALID_PARAMETER_SYNTAX, "Unexpected argument " + args.front());
}

} // namespace

int cmd_create(vz::VeConfig &config, const std::vector<std::string> &args) {
    po::options_description desc("create");
    desc.add_options()("ostemplate", po::value<std::string>())("config", po::value<std::string>())(
        "private", po::value<std::string>())("root", po::value<std::string>())(
        "ipadd", po::value<std::vector<std::string>>()->composing())(
        "hostname", po::value<std::string>())("name", po::value<std::string>())(
        "description", po::value<std::string>())("layout", po::value<std::string>());
    auto vm = parse_options(args, desc);
    const auto layout = opt(vm, "layout");
    if (layout)
        vz::find_layout(*layout); // refused before anything else is looked at
    if (std::filesystem::exists(config.ct_conf_path()) && !opt(vm, "config")) {
        // A config without a private area is a leftover that create may reuse.
        std::error_code ec;
        if (config.get("VE_PRIVATE") && std::filesystem::exists(config.ve_private(), ec) &&
            !std::filesystem::is_empty(config.ve_private(), ec))
            throw vz::Error(vz::VZ_FS_PRVT_AREA_EXIST,
                            "Container " + std::to_string(config.ctid()) + " already exists");
    }
    vz::CreateOptions o;
    o.ostemplate = opt(vm, "ostemplate");
    o.config = opt(vm, "config");
    o.private_path = opt(vm, "private");
    o.root_path = opt(vm, "root");
    o.hostname = opt(vm, "hostname");
    o.name = opt(vm, "name");
    o.description = opt(vm, "description");
    o.layout = layout;
    if (vm.count("ipadd")) // validated and stored as set --ipadd does
        o.ipadd = vz::net::ip_address_value(vm["ipadd"].as<std::vector<std::string>>(), {}, config);
    vz::create_ct(config, o);
    return 0;
}

int cmd_destroy(vz::VeConfig &config, const std::vector<std::string> &args) {
    no_arguments(args);
    vz::destroy_ct(config);
    return 0;
}

int cmd_start(vz::VeConfig &config, const std::vector<std::string> &args) {
    return vz::start_ct(config, start_from(parse_options(args, start_options())));
}

int cmd_stop(vz::VeConfig &config, const std::vector<std::string> &args) {
    vz::stop_ct(config, stop_from(parse_options(args, stop_options())));
    return 0;
}

int cmd_restart(vz::VeConfig &config, const std::vector<std::string> &args) {
    po::options_description desc("restart");
    desc.add(start_options()).add(stop_options());
    auto vm = parse_options(args, desc);
    vz::log_info("Restarting container");
    if (vz::is_running(config.ctid()))
        vz::stop_ct(config, stop_from(vm));
    return vz::start_ct(config, start_from(vm));
}

int cmd_status(vz::VeConfig &config, const std::vector<std::string> &args) {
    no_arguments(args);
    std::cout << vz::format_status_line(config.ctid(), vz::query_status(config)) << "\n";
    return 0;
}

int cmd_mount(vz::VeConfig &config, const std::vector<std::string> &args) {
    no_arguments(args);
    vz::mount_ct(config);
    return 0;
}

int cmd_umount(vz::VeConfig &config, const std::vector<std::string> &args) {
    no_arguments(args);
    if (vz::is_running(config.ctid()))
        throw vz::Error(vz::VZ_VE_RUNNING, "Container is running -- stop it first");
    vz::umount_ct(config);
    return 0;
}

int cmd_set(vz::VeConfig &config, const std::vector<std::string> &args) {
    auto request = parse_set_options(args, config);
    vz::set_ct(config, request.changes, request.flags);
    return 0;
}

namespace {

vz::ExecRequest exec_request(const std::vector<std::string> &args) {
    if (args.empty())
        throw vz::Error(vz::VZ_INVALID_PARAMETER_SYNTAX, "No command given");
    vz::ExecRequest request;
    if (!(args.size() == 1 && args[0] == "-"))
        request.words = args;
    return request;
}

} // namespace

int cmd_exec(vz::VeConfig &config, const std::vector<std::string> &args) {
    // OpenVZ's exec folds any failure of the command into 8.
    return vz::exec_in_ct(config, exec_request(args)) == 0 ? 0 : vz::VZ_COMMAND_EXECUTION_ERROR;
}

int cmd_exec2(vz::VeConfig &config, const std::vector<std::string> &args) {
    return vz::exec_in_ct(config, exec_request(args));
}

int cmd_enter(vz::VeConfig &config, const std::vector<std::string> &args) {
    std::vector<std::string> words;
    if (!args.empty()) {
        if (args[0] != "--exec")
            throw vz::Error(vz::VZ_INVALID_PARAMETER_SYNTAX, "Invalid option " + args[0]);
        words.assign(args.begin() + 1, args.end());
    }
    return vz::enter_ct(config, words);
}

int cmd_runscript(vz::VeConfig &config, const std::vector<std::string> &args) {
    if (args.size() != 1)
        throw vz::Error(vz::VZ_INVALID_PARAMETER_SYNTAX, "Usage: vzctl runscript <ctid> <script>");
    return vz::run_script(config, args[0]);
}

} // namespace vzctl
