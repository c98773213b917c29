#include "vzkit/dist/definition.h"

#include "vzkit/base/error.h"
#include "vzkit/base/log.h"
#include "vzkit/base/util.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>

namespace fs = std::filesystem;

namespace vz::dist {
namespace {

constexpr std::array<std::pair<Action, std::string_view>, 9> kActions = {{
    {Action::AddIp, "ADD_IP"},
    {Action::DelIp, "DEL_IP"},
    {Action::SetHostname, "SET_HOSTNAME"},
    {Action::SetDns, "SET_DNS"},
    {Action::SetUserpass, "SET_USERPASS"},
    {Action::SetUgidQuota, "SET_UGID_QUOTA"},
    {Action::PostCreate, "POST_CREATE"},
    {Action::PreStart, "PRE_START"},
    {Action::SetConsole, "SET_CONSOLE"},
}};

[[noreturn]] void bad_yaml(const std::string &source, const std::string &what) {
    throw Error(VZ_NO_DISTR_CONF, "Invalid distribution definition " + source + ": " + what);
}

std::vector<std::string> string_list(const YAML::Node &node, const std::string &source,
                                     const char *key) {
    std::vector<std::string> result;
    if (!node)
        return result;
    if (!node.IsSequence())
        bad_yaml(source, std::string(key) + " must be a list");
    for (const auto &item : node)
        result.push_back(to_lower(item.as<std::string>()));
    return result;
}

std::map<Action, std::string> action_map(const YAML::Node &node, const std::string &source,
                                         bool allow_stack) {
    std::map<Action, std::string> result;
    if (!node)
        return result;
    if (!node.IsMap())
        bad_yaml(source, "actions must be a mapping of ACTION: script");
    for (const auto &kv : node) {
        const auto key = kv.first.as<std::string>();
        if (allow_stack && key == "stack")
            continue;
        auto action = parse_action(key);
        if (!action)
            bad_yaml(source, "unknown action " + key);
        const auto script = kv.second.as<std::string>();
        if (script.empty() || script.find('/') != std::string::npos)
            bad_yaml(source, "script of " + key + " must be a file name in dists/scripts");
        result[*action] = script;
    }
    return result;
}

struct Loaded {
    fs::path file;
    YamlDefinition def;
};

// The definitions of a dists directory, each parsed the first time a look-up
// may match it: a definition can only match a name it spells out, so a file
// whose text lacks the name is passed over unparsed. Parsing all ten with
// yaml-cpp took 0.6 ms of every start (docs/benchmarks.md, issue 15).
class YamlDir {
  public:
    explicit YamlDir(const fs::path &dir) {
        std::error_code ec;
        for (const auto &entry : fs::directory_iterator(dir, ec)) {
            const auto ext = entry.path().extension();
            if ((ext == ".yaml" || ext == ".yml") && entry.is_regular_file(ec))
                files_.push_back({entry.path(), {}, std::nullopt, false});
        }
        std::ranges::sort(files_, {}, &File::path);
    }

    // The first definition, in file name order, that mentions word and
    // satisfies match.
    template <typename Match> const Loaded *find(std::string_view word, const Match &match) {
        for (auto &file : files_) {
            const Loaded *loaded = load(file, word);
            if (loaded && match(*loaded))
                return loaded;
        }
        return nullptr;
    }

  private:
    struct File {
        fs::path path;
        std::optional<std::string> text;
        std::optional<Loaded> loaded;
        bool broken;
    };

    const Loaded *load(File &file, std::string_view word) {
        if (file.broken)
            return nullptr;
        if (!file.text) {
            file.text = read_file(file.path);
            if (!file.text) {
                log_warning("Unable to read " + file.path.string() + "; skipped");
                file.broken = true;
                return nullptr;
            }
        }
        if (file.text->find(word) == std::string::npos)
            return nullptr;
        if (!file.loaded) {
            try {
                file.loaded =
                    Loaded{file.path, parse_yaml_definition(*file.text, file.path.string())};
            } catch (const Error &e) {
                log_warning(std::string(e.what()) + "; skipped");
                file.broken = true;
                return nullptr;
            }
        }
        return &*file.loaded;
    }

    std::vector<File> files_;
};

bool contains(const std::vector<std::string> &list, std::string_view value) {
    return std::ranges::find(list, value) != list.end();
}

Definition from_yaml(const Loaded &loaded, const Detected &detected) {
    Definition def{loaded.file, "", loaded.def.actions};
    const auto &stacks = loaded.def.network;
    if (stacks.empty())
        return def;
    auto it = std::ranges::find(stacks, detected.network, &NetworkScripts::stack);
    if (it == stacks.end()) {
        it = stacks.begin();
        if (!detected.network.empty())
            log_debug(1, "Network stack " + detected.network + " is not in " +
                             loaded.file.string() + "; using " + it->stack);
    }
    def.stack = it->stack;
    for (const auto &[action, script] : it->scripts)
        def.scripts[action] = script;
    return def;
}

Definition from_legacy(const fs::path &file) {
    auto text = read_file(file);
    if (!text)
        throw Error(VZ_NO_DISTR_CONF, "Unable to read " + file.string());
    return {file, "", parse_legacy_conf(*text)};
}

std::optional<Definition> by_ostemplate(const fs::path &dir, YamlDir &yamls,
                                        std::string_view ostemplate, const Detected &detected) {
    std::string name = fs::path(std::string(ostemplate)).filename().string();
    while (!name.empty()) {
        std::error_code ec;
        if (fs::is_regular_file(dir / (name + ".conf"), ec))
            return from_legacy(dir / (name + ".conf"));
        const std::string lower = to_lower(name);
        if (const Loaded *y = yamls.find(lower, [&](const Loaded &l) {
                return l.def.name == lower || contains(l.def.ostemplates, lower);
            }))
            return from_yaml(*y, detected);
        auto dash = name.rfind('-');
        name = dash == std::string::npos ? "" : name.substr(0, dash);
    }
    return std::nullopt;
}

std::optional<Definition> by_os_release(YamlDir &yamls, const Detected &detected) {
    std::vector<std::string> ids;
    if (!detected.id.empty())
        ids.push_back(detected.id);
    ids.insert(ids.end(), detected.id_like.begin(), detected.id_like.end());
    for (const auto &id : ids) {
        if (const Loaded *y = yamls.find(id, [&](const Loaded &l) {
                return l.def.name != "default" && contains(l.def.os_release, id);
            }))
            return from_yaml(*y, detected);
    }
    return std::nullopt;
}

} // namespace

std::string_view action_key(Action action) {
    for (const auto &[a, key] : kActions) {
        if (a == action)
            return key;
    }
    return "";
}

std::optional<Action> parse_action(std::string_view key) {
    for (const auto &[a, k] : kActions) {
        if (k == key)
            return a;
    }
    return std::nullopt;
}

std::string Detected::describe() const {
    std::string text = "ID=" + (id.empty() ? std::string("(none)") : id);
    if (!version_id.empty())
        text += " VERSION_ID=" + version_id;
    if (!id_like.empty())
        text += " ID_LIKE=\"" + join(id_like, " ") + "\"";
    text += " network=" + (network.empty() ? std::string("(none)") : network);
    return text;
}

YamlDefinition parse_yaml_definition(std::string_view text, const std::string &source) {
    YAML::Node root;
    try {
        root = YAML::Load(std::string(text));
    } catch (const YAML::Exception &e) {
        bad_yaml(source, e.what());
    }
    if (!root.IsMap())
        bad_yaml(source, "expected a mapping");
    YamlDefinition def;
    try {
        if (!root["name"])
            bad_yaml(source, "no name");
        def.name = to_lower(root["name"].as<std::string>());
        def.ostemplates = string_list(root["ostemplates"], source, "ostemplates");
        def.os_release = string_list(root["os_release"], source, "os_release");
        def.actions = action_map(root["actions"], source, false);
        if (const auto net = root["network"]) {
            if (!net.IsSequence())
                bad_yaml(source,
                         "network must be a list of {stack: ..., ADD_IP: ..., DEL_IP: ...}");
            for (const auto &item : net) {
                if (!item.IsMap() || !item["stack"])
                    bad_yaml(source, "every network entry needs a stack");
                NetworkScripts ns{item["stack"].as<std::string>(), action_map(item, source, true)};
                if (std::ranges::find(network_stacks(), ns.stack) == network_stacks().end())
                    bad_yaml(source, "unknown network stack " + ns.stack);
                def.network.push_back(std::move(ns));
            }
        }
        for (const auto &kv : root) {
            const auto key = kv.first.as<std::string>();
            if (key != "name" && key != "ostemplates" && key != "os_release" && key != "actions" &&
                key != "network")
                bad_yaml(source, "unknown key " + key);
        }
    } catch (const YAML::Exception &e) {
        bad_yaml(source, e.what());
    }
    return def;
}

std::map<Action, std::string> parse_legacy_conf(std::string_view text) {
    std::map<Action, std::string> result;
    for (const auto &raw : split(text, '\n')) {
        auto line = trim(raw);
        if (line.empty() || line.front() == '#')
            continue;
        auto eq = line.find('=');
        if (eq == std::string_view::npos)
            continue;
        auto action = parse_action(trim(line.substr(0, eq)));
        std::string value(trim(line.substr(eq + 1)));
        if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
            value.back() == value.front())
            value = value.substr(1, value.size() - 2);
        // The first occurrence wins, as in OpenVZ.
        if (action && !value.empty() && !result.contains(*action))
            result[*action] = value;
    }
    return result;
}

Definition choose(const fs::path &dists_dir, std::string_view ostemplate,
                  const Detected &detected) {
    YamlDir yamls(dists_dir);
    if (!ostemplate.empty()) {
        if (auto def = by_ostemplate(dists_dir, yamls, ostemplate, detected))
            return *def;
    }
    if (auto def = by_os_release(yamls, detected))
        return *def;
    const std::string what =
        ostemplate.empty() ? std::string("not specified (no OSTEMPLATE)") : std::string(ostemplate);
    if (const Loaded *y =
            yamls.find("default", [](const Loaded &l) { return l.def.name == "default"; })) {
        log_warning("No definition for distribution " + what + " (detected " + detected.describe() +
                    "); using " + y->file.string());
        return from_yaml(*y, detected);
    }
    std::error_code ec;
    if (fs::is_regular_file(dists_dir / "default", ec)) {
        log_warning("No definition for distribution " + what + " (detected " + detected.describe() +
                    "); using " + (dists_dir / "default").string());
        return from_legacy(dists_dir / "default");
    }
    throw Error(VZ_NO_DISTR_CONF, "No definition for distribution " + what + " and no default in " +
                                      dists_dir.string());
}

} // namespace vz::dist
