#include "vzkit/base/ct_config.h"

#include "vzkit/base/error.h"
#include "vzkit/base/log.h"
#include "vzkit/base/util.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>

namespace vz {
namespace {

bool all_digits(std::string_view text) {
    return !text.empty() && std::ranges::all_of(text, [](char c) { return c >= '0' && c <= '9'; });
}

void print_warnings(const ConfigFile &file) {
    for (const ConfigWarning &w : file.warnings())
        log_warning(w.file + ":" + std::to_string(w.line) + ": " + w.message);
}

// A name must be a single path component, so names_dir()/<name> cannot escape.
bool is_plain_name(std::string_view name) {
    return !name.empty() && name != "." && name != ".." &&
           name.find('/') == std::string_view::npos && name.find('\0') == std::string_view::npos;
}

struct BoolWord {
    std::string_view word;
    bool value;
};

constexpr std::array kBoolWords = std::to_array<BoolWord>({
    {"yes", true},
    {"true", true},
    {"1", true},
    {"on", true},
    {"no", false},
    {"false", false},
    {"0", false},
    {"off", false},
});

} // namespace

Ctid parse_ctid(std::string_view text) {
    auto value = parse_number<std::uint64_t>(text);
    if (!value || *value > kVeidMax)
        throw Error(VZ_INVALID_PARAMETER_VALUE, "Bad CT ID " + std::string(text));
    return static_cast<Ctid>(*value);
}

std::filesystem::path conf_dir() {
    const char *dir = std::getenv("VZ_CONFDIR");
    return dir != nullptr && *dir != '\0' ? std::filesystem::path(dir) : "/etc/vz";
}

std::filesystem::path global_conf_path() {
    return conf_dir() / "vz.conf";
}
std::filesystem::path ct_conf_dir() {
    return conf_dir() / "conf";
}
std::filesystem::path ct_conf_path(Ctid ctid) {
    return ct_conf_dir() / (std::to_string(ctid) + ".conf");
}
std::filesystem::path sample_conf_path(std::string_view name) {
    return ct_conf_dir() / ("ve-" + std::string(name) + ".conf-sample");
}
std::filesystem::path names_dir() {
    return conf_dir() / "names";
}
std::filesystem::path dists_dir() {
    return conf_dir() / "dists";
}

std::optional<Ctid> ctid_by_name(std::string_view name) {
    if (!is_plain_name(name))
        return std::nullopt;
    std::error_code ec;
    std::filesystem::path target = std::filesystem::read_symlink(names_dir() / name, ec);
    if (ec)
        return std::nullopt;
    std::string base = target.filename().string();
    constexpr std::string_view kSuffix = ".conf";
    if (!base.ends_with(kSuffix))
        return std::nullopt;
    std::string_view id = std::string_view(base).substr(0, base.size() - kSuffix.size());
    if (!all_digits(id))
        return std::nullopt;
    try {
        return parse_ctid(id);
    } catch (const Error &) {
        return std::nullopt;
    }
}

Ctid resolve_ctid(std::string_view text) {
    if (all_digits(text))
        return parse_ctid(text);
    if (auto ctid = ctid_by_name(text))
        return *ctid;
    throw Error(VZ_INVALID_PARAMETER_VALUE, "Bad CT ID " + std::string(text));
}

CtConfig CtConfig::load(Ctid ctid) {
    const std::filesystem::path path = global_conf_path();
    ConfigFile global = ConfigFile::load(path);
    if (!global.exists())
        throw Error(VZ_NOCONFIG, "Global configuration file " + path.string() + " not found");
    print_warnings(global);
    return load(ctid, global);
}

CtConfig CtConfig::load(Ctid ctid, const ConfigFile &global) {
    CtConfig cfg;
    cfg.ctid_ = ctid;
    cfg.global_ = global;
    cfg.ct_ = ConfigFile::load(vz::ct_conf_path(ctid));
    print_warnings(cfg.ct_);
    return cfg;
}

void CtConfig::set_override(std::string_view key, std::string_view value) {
    overrides_.insert_or_assign(std::string(key), std::string(value));
}

std::optional<std::string> CtConfig::get(std::string_view key) const {
    if (auto it = overrides_.find(key); it != overrides_.end())
        return it->second;
    if (auto value = ct_.get(key))
        return value;
    return global_.get(key);
}

std::string CtConfig::get_or(std::string_view key, std::string_view fallback) const {
    auto value = get(key);
    return value ? *value : std::string(fallback);
}

bool CtConfig::get_bool(std::string_view key, bool fallback) const {
    auto value = get(key);
    if (!value)
        return fallback;
    const std::string word = to_lower(trim(*value));
    auto it = std::ranges::find(kBoolWords, word, &BoolWord::word);
    return it != kBoolWords.end() ? it->value : fallback;
}

std::optional<std::int64_t> CtConfig::get_int(std::string_view key) const {
    auto value = get(key);
    if (!value)
        return std::nullopt;
    return parse_number<std::int64_t>(trim(*value));
}

std::filesystem::path CtConfig::ve_root() const {
    auto value = get("VE_ROOT");
    if (!value || value->empty())
        throw Error(VZ_VE_ROOT_NOTSET, "VE_ROOT is not set");
    return substitute_veid(*value, ctid_);
}

std::filesystem::path CtConfig::ve_private() const {
    auto value = get("VE_PRIVATE");
    if (!value || value->empty())
        throw Error(VZ_VE_PRIVATE_NOTSET, "VE_PRIVATE is not set");
    return substitute_veid(*value, ctid_);
}

std::filesystem::path CtConfig::template_dir() const {
    auto value = get("TEMPLATE");
    return value && !value->empty() ? *value : "/vz/template";
}

std::filesystem::path CtConfig::lock_dir() const {
    auto value = get("LOCKDIR");
    return value && !value->empty() ? *value : "/vz/lock";
}

std::string substitute_veid(std::string_view text, Ctid ctid) {
    constexpr std::string_view kBraced = "${VEID}";
    constexpr std::string_view kBare = "$VEID";
    auto is_name_char = [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
    };
    const std::string id = std::to_string(ctid);
    std::string out;
    while (!text.empty()) {
        if (text.starts_with(kBraced)) {
            out += id;
            text.remove_prefix(kBraced.size());
        } else if (text.starts_with(kBare) &&
                   // "$VEIDX" is another shell variable, not $VEID followed by X.
                   (text.size() == kBare.size() || !is_name_char(text[kBare.size()]))) {
            out += id;
            text.remove_prefix(kBare.size());
        } else {
            out += text.front();
            text.remove_prefix(1);
        }
    }
    return out;
}

} // namespace vz
