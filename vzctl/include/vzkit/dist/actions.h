// The OpenVZ actions of a distribution definition, run where the lifecycle
// needs them: at create (POST_CREATE, on the host), at start (PRE_START,
// ADD_IP, SET_HOSTNAME, SET_DNS, inside the container before its init), and
// by `vzctl set` on a running container.
#pragma once

#include "vzkit/base/ct_config.h"
#include "vzkit/dist/definition.h"
#include "vzkit/net/lifecycle.h"

#include <sys/types.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vz::dist {

// The definition for a container: from OSTEMPLATE, else from what its
// private area holds. nullopt (with a warning) when the configuration
// directory has no dists/ at all.
std::optional<Definition> definition_for(const CtConfig &config);

void configure_on_create(const CtConfig &config);

// At start: PRE_START, ADD_IP, SET_HOSTNAME and SET_DNS, in that order.
// early() does the leading ones that vzctl does itself (dist/native.h)
// through the mounted VE_ROOT while pid 1 still sets itself up, when
// nothing of the container runs; finish() does the rest once pid 1 holds
// the container's privileges, from the first that needs its script on, so
// the order stays the definition's (docs/benchmarks.md, issue 15).
class StartConfiguration {
  public:
    explicit StartConfiguration(const CtConfig &config);
    ~StartConfiguration();
    StartConfiguration(const StartConfiguration &) = delete;
    StartConfiguration &operator=(const StartConfiguration &) = delete;

    void early();
    void finish(pid_t init);

  private:
    struct Steps;
    const CtConfig &config_;
    std::unique_ptr<Steps> steps_;
};
void configure_on_set(const CtConfig &config, pid_t init, const net::IpDiff &diff,
                      const std::map<std::string, std::string> &changes);

// vzctl set: checks the merged config (addresses, NETIF) before anything
// is applied.
void validate_set(const CtConfig &config, const std::map<std::string, std::string> &changes,
                  bool running);
// vzctl set on a running container, after the config holds the new values:
// addresses and veths (vzkit/net/lifecycle.h), then the actions of the definition.
void apply_set_live(const CtConfig &config, const net::NetSnapshot &before,
                    const std::map<std::string, std::string> &changes);

// --userpasswd on a stopped container, as OpenVZ does it: the definition's
// SET_USERPASS script with USERPW set, for `runscript`'s temporary
// environment (vzkit/ct/exec.h). nullopt when the definition has none.
std::optional<std::string> userpass_script(const CtConfig &config, const std::string &userpw);

// nameserver and search lines of a resolv.conf, as the resolver reads them
// (nameservers accumulate, the last search/domain line wins).
struct ResolvConf {
    std::vector<std::string> nameservers;
    std::vector<std::string> search;
};
ResolvConf parse_resolv_conf(std::string_view text);
// NAMESERVER / SEARCHDOMAIN with "inherit" replaced by the host's values.
std::string resolve_nameservers(std::string_view value, const ResolvConf &host);
std::string resolve_searchdomains(std::string_view value, const ResolvConf &host);

} // namespace vz::dist
