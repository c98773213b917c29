// The routed-mode pieces of vzkit/net/lifecycle.h: venet0 in the container, its host
// end, and per address the host route, the address inside and the proxy
// entries. Each step is undoable on its own so callers can roll back.
#pragma once

#include "vzkit/net/link.h"
#include "vzkit/net/netif.h"
#include "vzkit/net/state.h"
#include "vzkit/base/ct_config.h"

#include <string>
#include <vector>

namespace vz::net {

// The host end of a container's venet0: venet0.<CTID> (venet<CTID> when that
// exceeds 15 characters).
std::string venet_host_name(Ctid ctid);

// venet0 inside, venet0.<CTID> outside, up, NOARP, default routes inside.
// A host end left over by a namespace the kernel is still tearing down is
// waited for. Throws Error(VZ_NETDEV_ERROR).
void create_venet(Rtnl &host, Rtnl &ct, int ct_netns_fd, Ctid ctid, bool ipv6);

// After a restore (docs/checkpoint.md): criu made the pair again from the
// dump with the container's end as it was, but the host end it creates is
// down, with a random MAC and ARP on. Puts back what create_venet() sets on
// it. Throws Error(code).
void restore_venet_host(Rtnl &host, Ctid ctid, int code);

// Throws Error(VZ_IP_INUSE) naming who has the address: another
// container's host route, or a local address of the host.
void check_ip_free(Rtnl &host, const IpAddr &ip, int own_index);

// The host route, the address on venet0, and proxy entries per
// NEIGHBOUR_DEVS (appended to record.proxies).
void add_venet_ip(Rtnl &host, Rtnl &ct, Ctid ctid, const IpAddr &ip,
                  std::string_view neighbour_setting, NetRecord &record);
// The reverse; what is already gone is skipped.
void del_venet_ip(Rtnl &host, Rtnl *ct, Ctid ctid, const IpAddr &ip, NetRecord &record);

// Bridged mode. check_bridges() runs before anything is created.
void check_bridges(Rtnl &host, const std::vector<VethIf> &ifs);
void create_veth_if(Rtnl &host, int ct_netns_fd, const VethIf &dev);
void delete_veth_if(Rtnl &host, const VethIf &dev);
// After a restore: the host end criu created, with its MAC, up, on its bridge.
void restore_veth_host(Rtnl &host, const VethIf &dev, int code);
// A live --ifname change: MACs, host name and bridge, both ends.
void modify_veth_if(Rtnl &host, Rtnl &ct, const VethIf &before, const VethIf &after);

// Waits up to a few seconds for host devices of a stopped container to go
// with its namespace; deletes those that linger.
void wait_devices_gone(Rtnl &host, const std::vector<std::string> &names);

} // namespace vz::net
