#include "vzkit/dist/actions.h"

#include "vzkit/base/error.h"
#include "vzkit/base/log.h"
#include "vzkit/base/util.h"
#include "vzkit/ct/state.h"
#include "vzkit/dist/exec.h"
#include "vzkit/dist/native.h"

namespace vz::dist {
namespace {

std::string first_address(const std::vector<net::IpAddr> &ips) {
    return ips.empty() ? "" : ips.front().address();
}

ResolvConf host_resolv_conf() {
    return parse_resolv_conf(read_file("/etc/resolv.conf").value_or(""));
}

// ADD_IP/DEL_IP leave the container's own files behind, never its network:
// vzctl put that in place already, so their failure only warns. Returns what
// run returns, or true (done) after the warning.
template <typename Run> bool warn_on_failure(Run &&run) {
    try {
        return run();
    } catch (const Error &e) {
        log_warning(e.what());
        return true;
    }
}

// One action of the container's definition, when it has a script for it.
class Runner {
  public:
    // native: the stock scripts that have a native form are done by vzctl
    // through the container's root (dist/native.h); at start, where nothing
    // of the container runs yet and every start would otherwise fork a shell
    // inside it for each action.
    Runner(const CtConfig &config, std::optional<pid_t> init, bool native = false)
        : config_(config), init_(init), native_(native) {}

    // The container's init, once it runs (StartConfiguration::finish).
    void bind(pid_t init) { init_ = init; }

    // Done without a script, through root: true when the action has no
    // script or its stock script's native form did it.
    bool run_native_only(Action action, const ScriptEnv &env, const CtRoot &root) {
        const auto *script = script_for(action);
        if (!script)
            return true;
        return run_native(*script, compose_script(dists_dir() / "scripts", *script), root, env);
    }

    void run(Action action, ScriptEnv env, int fail_code = VZ_ACTIONSCRIPT_ERROR) {
        const auto *script = script_for(action);
        if (!script)
            return;
        const auto text = compose_script(dists_dir() / "scripts", *script);
        if (native_ && init_) {
            if (!root_)
                root_ = CtRoot::of_init(*init_);
            if (run_native(*script, text, *root_, env))
                return;
        }
        const std::string name = std::string(action_key(action)) + " (" + *script + ")";
        if (init_)
            run_script_in_ct(config_, *init_, name, text, env, fail_code);
        else
            run_script_on_host(config_, name, text, env, fail_code);
    }

    void run_warn(Action action, ScriptEnv env) {
        warn_on_failure([&] {
            run(action, std::move(env));
            return true;
        });
    }

  private:
    // The action's script in the definition; nullptr when it has none.
    const std::string *script_for(Action action) {
        // Chosen on first use: a `vzctl set --ram` has no action to run.
        if (!loaded_) {
            def_ = definition_for(config_);
            loaded_ = true;
        }
        if (!def_)
            return nullptr;
        auto it = def_->scripts.find(action);
        if (it == def_->scripts.end()) {
            log_debug(1,
                      std::string(action_key(action)) + " has no script in " + def_->file.string());
            return nullptr;
        }
        return &it->second;
    }

    const CtConfig &config_;
    std::optional<pid_t> init_;
    bool native_;
    std::optional<CtRoot> root_;
    std::optional<Definition> def_;
    bool loaded_ = false;
};

ScriptEnv ip_env(const CtConfig &config, const char *state, const std::vector<net::IpAddr> &ips,
                 bool delall) {
    ScriptEnv env{{"VE_STATE", state}};
    if (!ips.empty())
        env["IP_ADDR"] = net::format_ip_list(ips);
    if (delall)
        env["IPDELALL"] = "yes";
    if (config.get_bool("IPV6", false))
        env["IPV6"] = "yes";
    return env;
}

std::optional<ScriptEnv> hostname_env(const CtConfig &config, const char *state) {
    auto hostname = config.get("HOSTNAME");
    if (!hostname || hostname->empty())
        return std::nullopt;
    return ScriptEnv{{"VE_STATE", state},
                     {"HOSTNM", *hostname},
                     {"IP_ADDR", first_address(net::configured_ips(config))}};
}

std::optional<ScriptEnv> dns_env(const CtConfig &config) {
    const auto ns = config.get_or("NAMESERVER", ""), sd = config.get_or("SEARCHDOMAIN", "");
    if (ns.empty() && sd.empty())
        return std::nullopt;
    const auto host = host_resolv_conf();
    ScriptEnv env;
    if (!ns.empty())
        env["NAMESERVER"] = resolve_nameservers(ns, host);
    if (!sd.empty())
        env["SEARCHDOMAIN"] = resolve_searchdomains(sd, host);
    return env;
}

void set_hostname(Runner &runner, const CtConfig &config, const char *state) {
    if (auto env = hostname_env(config, state))
        runner.run(Action::SetHostname, *env);
}

void set_dns(Runner &runner, const CtConfig &config) {
    if (auto env = dns_env(config))
        runner.run(Action::SetDns, *env);
}

// One action of a start: ADD_IP only warns when it fails (run_warn).
struct StartStep {
    Action action;
    ScriptEnv env;
    bool warn_only = false;
};

} // namespace

std::optional<Definition> definition_for(const CtConfig &config) {
    const auto dir = dists_dir();
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) {
        log_warning("No distribution definitions in " + dir.string() +
                    ": files inside the container are not configured");
        return std::nullopt;
    }
    auto detected = detect(config.ve_private());
    auto def = choose(dir, config.get_or("OSTEMPLATE", ""), detected);
    log_debug(1, "Distribution definition " + def.file.string() +
                     (def.stack.empty() ? "" : " (network: " + def.stack + ")"));
    return def;
}

void configure_on_create(const CtConfig &config) {
    Runner runner(config, std::nullopt);
    runner.run(Action::PostCreate, {{"VE_ROOT", config.ve_private().string()}});
}

struct StartConfiguration::Steps {
    Runner runner;
    std::vector<StartStep> steps;
    std::size_t next = 0; // the first not done yet
};

StartConfiguration::StartConfiguration(const CtConfig &config)
    : config_(config),
      steps_(std::make_unique<Steps>(Steps{Runner(config, std::nullopt, true), {}})) {
    auto &steps = steps_->steps;
    steps.push_back({Action::PreStart, {{"VZ_KERNEL", "no"}, {"USERNS", "no"}}});
    steps.push_back(
        {Action::AddIp, ip_env(config, "starting", net::configured_ips(config), false), true});
    if (auto env = hostname_env(config, "starting"))
        steps.push_back({Action::SetHostname, *env});
    if (auto env = dns_env(config))
        steps.push_back({Action::SetDns, *env});
}

StartConfiguration::~StartConfiguration() = default;

void StartConfiguration::early() {
    // VE_ROOT is the tree pid 1 makes its root; nothing of the container
    // runs before 'G', so nothing inside can race these writes.
    const CtRoot root = CtRoot::at(config_.ve_root());
    if (!root.valid())
        return;
    for (auto &s = *steps_; s.next < s.steps.size(); ++s.next) {
        const auto &step = s.steps[s.next];
        const auto native = [&] { return s.runner.run_native_only(step.action, step.env, root); };
        if (!(step.warn_only ? warn_on_failure(native) : native()))
            return;
    }
}

void StartConfiguration::finish(pid_t init) {
    auto &s = *steps_;
    s.runner.bind(init);
    for (; s.next < s.steps.size(); ++s.next) {
        auto &step = s.steps[s.next];
        if (step.warn_only)
            s.runner.run_warn(step.action, step.env);
        else
            s.runner.run(step.action, step.env);
    }
}

void configure_on_set(const CtConfig &config, pid_t init, const net::IpDiff &diff,
                      const std::map<std::string, std::string> &changes) {
    Runner runner(config, init);
    if (!diff.removed.empty())
        runner.run(Action::DelIp, ip_env(config, "running", diff.removed, diff.removed_all));
    if (!diff.added.empty())
        runner.run(Action::AddIp, ip_env(config, "running", diff.added, diff.removed_all));
    if (changes.contains("HOSTNAME"))
        set_hostname(runner, config, "running");
    if (changes.contains("NAMESERVER") || changes.contains("SEARCHDOMAIN"))
        set_dns(runner, config);
    if (auto it = changes.find("USERPW"); it != changes.end())
        runner.run(Action::SetUserpass, {{"USERPW", it->second}}, VZ_CHANGEPASS);
}

void validate_set(const CtConfig &config, const std::map<std::string, std::string> &changes,
                  bool running) {
    if (changes.contains("IP_ADDRESS"))
        net::configured_ips(config);
    if (changes.contains("NETIF"))
        net::configured_netifs(config);
    (void)running;
}

std::optional<std::string> userpass_script(const CtConfig &config, const std::string &userpw) {
    auto def = definition_for(config);
    if (!def)
        return std::nullopt;
    auto it = def->scripts.find(Action::SetUserpass);
    if (it == def->scripts.end())
        return std::nullopt;
    std::string quoted = "'";
    for (char c : userpw)
        quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    quoted += "'";
    return "USERPW=" + quoted + "\nexport USERPW\n" +
           compose_script(dists_dir() / "scripts", it->second);
}

void apply_set_live(const CtConfig &config, const net::NetSnapshot &before,
                    const std::map<std::string, std::string> &changes) {
    auto init = find_init_pid(config.ctid());
    if (!init)
        throw Error(VZ_VE_NOT_RUNNING, "Container is not running");
    net::apply_network_live(config, before, *init);
    configure_on_set(config, *init, net::ip_diff(config, before), changes);
}

ResolvConf parse_resolv_conf(std::string_view text) {
    ResolvConf rc;
    for (const auto &raw : split(text, '\n')) {
        auto words = split_ws(raw);
        if (words.size() < 2 || words[0].starts_with("#") || words[0].starts_with(";"))
            continue;
        if (words[0] == "nameserver")
            rc.nameservers.push_back(words[1]);
        else if (words[0] == "search" || words[0] == "domain")
            rc.search.assign(words.begin() + 1, words.end());
    }
    return rc;
}

std::string resolve_nameservers(std::string_view value, const ResolvConf &host) {
    return trim(value) == "inherit" ? join(host.nameservers, " ") : std::string(trim(value));
}

std::string resolve_searchdomains(std::string_view value, const ResolvConf &host) {
    return trim(value) == "inherit" ? join(host.search, " ") : std::string(trim(value));
}

} // namespace vz::dist
