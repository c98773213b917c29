// libnl-3's route library, loaded (dlopen) when a command first talks
// rtnetlink: only start, stop, set and the network checks do, and linking it
// would load libnl-route and libnl into every vzctl, vzlist and exec (0.18 ms
// of each; docs/benchmarks.md, issue 15). The functions net/link.cpp calls,
// typed by libnl's own prototypes.
#pragma once

#include <netlink/addr.h>
#include <netlink/cache.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/neighbour.h>
#include <netlink/route/route.h>
#include <netlink/socket.h>

namespace vz::net {

// Every function used, once: the table below and the binding are made from it.
#define VZKIT_LIBNL_FUNCTIONS(X)                                                                   \
    X(nl_addr_build)                                                                               \
    X(nl_addr_get_binary_addr)                                                                     \
    X(nl_addr_get_family)                                                                          \
    X(nl_addr_get_len)                                                                             \
    X(nl_addr_get_prefixlen)                                                                       \
    X(nl_addr_put)                                                                                 \
    X(nl_addr_set_prefixlen)                                                                       \
    X(nl_cache_free)                                                                               \
    X(nl_cache_get_first)                                                                          \
    X(nl_cache_get_next)                                                                           \
    X(nl_connect)                                                                                  \
    X(nl_geterror)                                                                                 \
    X(nl_socket_alloc)                                                                             \
    X(nl_socket_free)                                                                              \
    X(nl_socket_get_fd)                                                                            \
    X(rtnl_addr_add)                                                                               \
    X(rtnl_addr_alloc)                                                                             \
    X(rtnl_addr_alloc_cache)                                                                       \
    X(rtnl_addr_delete)                                                                            \
    X(rtnl_addr_get_ifindex)                                                                       \
    X(rtnl_addr_get_local)                                                                         \
    X(rtnl_addr_get_scope)                                                                         \
    X(rtnl_addr_put)                                                                               \
    X(rtnl_addr_set_family)                                                                        \
    X(rtnl_addr_set_flags)                                                                         \
    X(rtnl_addr_set_ifindex)                                                                       \
    X(rtnl_addr_set_local)                                                                         \
    X(rtnl_addr_set_prefixlen)                                                                     \
    X(rtnl_link_add)                                                                               \
    X(rtnl_link_alloc)                                                                             \
    X(rtnl_link_alloc_cache)                                                                       \
    X(rtnl_link_change)                                                                            \
    X(rtnl_link_delete)                                                                            \
    X(rtnl_link_get_addr)                                                                          \
    X(rtnl_link_get_arptype)                                                                       \
    X(rtnl_link_get_flags)                                                                         \
    X(rtnl_link_get_ifindex)                                                                       \
    X(rtnl_link_get_kernel)                                                                        \
    X(rtnl_link_get_master)                                                                        \
    X(rtnl_link_get_name)                                                                          \
    X(rtnl_link_get_stat)                                                                          \
    X(rtnl_link_get_type)                                                                          \
    X(rtnl_link_put)                                                                               \
    X(rtnl_link_set_addr)                                                                          \
    X(rtnl_link_set_flags)                                                                         \
    X(rtnl_link_set_master)                                                                        \
    X(rtnl_link_set_name)                                                                          \
    X(rtnl_link_set_ns_fd)                                                                         \
    X(rtnl_link_unset_flags)                                                                       \
    X(rtnl_link_veth_alloc)                                                                        \
    X(rtnl_link_veth_get_peer)                                                                     \
    X(rtnl_neigh_add)                                                                              \
    X(rtnl_neigh_alloc)                                                                            \
    X(rtnl_neigh_delete)                                                                           \
    X(rtnl_neigh_put)                                                                              \
    X(rtnl_neigh_set_dst)                                                                          \
    X(rtnl_neigh_set_family)                                                                       \
    X(rtnl_neigh_set_flags)                                                                        \
    X(rtnl_neigh_set_ifindex)                                                                      \
    X(rtnl_neigh_set_state)                                                                        \
    X(rtnl_route_add)                                                                              \
    X(rtnl_route_add_nexthop)                                                                      \
    X(rtnl_route_alloc)                                                                            \
    X(rtnl_route_alloc_cache)                                                                      \
    X(rtnl_route_delete)                                                                           \
    X(rtnl_route_get_dst)                                                                          \
    X(rtnl_route_get_nnexthops)                                                                    \
    X(rtnl_route_get_table)                                                                        \
    X(rtnl_route_get_type)                                                                         \
    X(rtnl_route_nexthop_n)                                                                        \
    X(rtnl_route_nh_alloc)                                                                         \
    X(rtnl_route_nh_get_gateway)                                                                   \
    X(rtnl_route_nh_get_ifindex)                                                                   \
    X(rtnl_route_nh_set_ifindex)                                                                   \
    X(rtnl_route_put)                                                                              \
    X(rtnl_route_set_dst)                                                                          \
    X(rtnl_route_set_family)                                                                       \
    X(rtnl_route_set_protocol)                                                                     \
    X(rtnl_route_set_scope)                                                                        \
    X(rtnl_route_set_table)                                                                        \
    X(rtnl_route_set_type)

struct LibnlApi {
#define VZKIT_LIBNL_FIELD(name) decltype(&::name) name = nullptr;
    VZKIT_LIBNL_FUNCTIONS(VZKIT_LIBNL_FIELD)
#undef VZKIT_LIBNL_FIELD
};

// The process's libnl-route (with libnl, its dependency), loaded on the first
// call and kept until exit. Throws Error(VZ_SYSTEM_ERROR) naming the library
// and its package when it cannot be loaded or lacks a function.
const LibnlApi &nl();

} // namespace vz::net
