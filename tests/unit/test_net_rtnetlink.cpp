#define BOOST_TEST_MODULE net_rtnetlink
#include <boost/test/unit_test.hpp>

#include "net/rtnetlink.h"

#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#include <cstring>
#include <string>

using namespace vz::net::rtnl;

namespace {

// The request's bytes read back as the kernel would: its header, then the
// attributes after the family struct.
struct Parsed {
    nlmsghdr header;
    std::span<const unsigned char> payload;
};

Parsed parse(const Request &req) {
    const auto bytes = req.bytes();
    Parsed p{};
    std::memcpy(&p.header, bytes.data(), sizeof p.header);
    p.payload = bytes.subspan(NLMSG_HDRLEN);
    return p;
}

} // namespace

BOOST_AUTO_TEST_CASE(header_length_and_flags) {
    Request req(RTM_GETLINK, NLM_F_DUMP);
    ifinfomsg ifi{};
    req.family(ifi);
    auto p = parse(req);
    BOOST_TEST(p.header.nlmsg_len == NLMSG_HDRLEN + sizeof(ifinfomsg));
    BOOST_TEST(p.header.nlmsg_type == RTM_GETLINK);
    BOOST_TEST(p.header.nlmsg_flags == (NLM_F_REQUEST | NLM_F_DUMP));
    req.add_flags(NLM_F_ACK);
    req.set_seq(42);
    p = parse(req);
    BOOST_TEST(p.header.nlmsg_flags == (NLM_F_REQUEST | NLM_F_DUMP | NLM_F_ACK));
    BOOST_TEST(req.seq() == 42u);
}

BOOST_AUTO_TEST_CASE(attributes_are_aligned_and_read_back) {
    Request req(RTM_NEWLINK, 0);
    req.family(ifinfomsg{});
    req.put_string(IFLA_IFNAME, "venet0.101"); // 11 bytes with the NUL: padded to 12
    const unsigned char mac[6] = {2, 0, 0, 0, 0, 0x65};
    req.put(IFLA_ADDRESS, mac, sizeof mac); // 6: padded to 8
    req.put_u32(IFLA_MASTER, 7);
    const auto bytes = req.bytes();
    BOOST_TEST(bytes.size() % 4 == 0u);
    BOOST_TEST(parse(req).header.nlmsg_len == bytes.size());

    Message m{reinterpret_cast<const nlmsghdr *>(bytes.data()), parse(req).payload};
    const Attrs a = m.attrs<ifinfomsg>(IFLA_MAX);
    BOOST_TEST(a.string(IFLA_IFNAME).value_or("") == "venet0.101");
    BOOST_TEST(a.get(IFLA_ADDRESS)->size() == 6u);
    BOOST_TEST(a.get(IFLA_ADDRESS)->data()[5] == 0x65);
    BOOST_TEST(a.u32(IFLA_MASTER).value_or(0) == 7u);
    BOOST_TEST(!a.get(IFLA_MTU));
}

// A veth's peer: a nest inside a nest inside a nest, starting with an
// ifinfomsg. Each nest's length covers exactly what was put inside it.
BOOST_AUTO_TEST_CASE(nests_cover_their_contents) {
    Request req(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
    req.family(ifinfomsg{});
    req.put_string(IFLA_IFNAME, "host0");
    const auto info = req.begin_nest(IFLA_LINKINFO);
    req.put_string(IFLA_INFO_KIND, "veth");
    const auto data = req.begin_nest(IFLA_INFO_DATA);
    const auto peer = req.begin_nest(VETH_INFO_PEER);
    ifinfomsg peer_ifi{};
    peer_ifi.ifi_flags = 0x80;
    req.family(peer_ifi);
    req.put_string(IFLA_IFNAME, "ct0");
    req.put_u32(IFLA_NET_NS_FD, 9);
    req.end_nest(peer);
    req.end_nest(data);
    req.end_nest(info);
    req.put_u32(IFLA_MTU, 1500); // after the nest, at the outer level again

    const auto bytes = req.bytes();
    Message m{reinterpret_cast<const nlmsghdr *>(bytes.data()), parse(req).payload};
    const Attrs top = m.attrs<ifinfomsg>(IFLA_MAX);
    BOOST_TEST(top.u32(IFLA_MTU).value_or(0) == 1500u);
    const Attrs li = top.nested(IFLA_LINKINFO, IFLA_INFO_MAX);
    BOOST_TEST(li.string(IFLA_INFO_KIND).value_or("") == "veth");
    const auto peer_bytes = li.nested(IFLA_INFO_DATA, VETH_INFO_MAX).get(VETH_INFO_PEER);
    BOOST_REQUIRE(peer_bytes);
    ifinfomsg got{};
    std::memcpy(&got, peer_bytes->data(), sizeof got);
    BOOST_TEST(got.ifi_flags == 0x80u);
    const Attrs pa(peer_bytes->subspan(sizeof(ifinfomsg)), IFLA_MAX);
    BOOST_TEST(pa.string(IFLA_IFNAME).value_or("") == "ct0");
    BOOST_TEST(pa.u32(IFLA_NET_NS_FD).value_or(0) == 9u);
}

// A truncated or overlong attribute ends the walk; what came before stays.
BOOST_AUTO_TEST_CASE(malformed_attributes_stop_the_walk) {
    std::vector<unsigned char> buf(16, 0);
    nlattr a{};
    a.nla_len = 8;
    a.nla_type = IFLA_MTU;
    std::memcpy(buf.data(), &a, sizeof a);
    const std::uint32_t mtu = 9000;
    std::memcpy(buf.data() + 4, &mtu, 4);
    a.nla_len = 200; // longer than what is left
    a.nla_type = IFLA_IFNAME;
    std::memcpy(buf.data() + 8, &a, sizeof a);
    const Attrs attrs(buf, IFLA_MAX);
    BOOST_TEST(attrs.u32(IFLA_MTU).value_or(0) == 9000u);
    BOOST_TEST(!attrs.get(IFLA_IFNAME));
    // A type beyond the table's maximum is skipped, not stored out of bounds.
    const Attrs small(buf, 2);
    BOOST_TEST(!small.get(IFLA_MTU));
}

BOOST_AUTO_TEST_CASE(reason_has_the_kernels_message) {
    Outcome out;
    out.error = -EEXIST;
    BOOST_TEST(out.reason() == std::string(std::strerror(EEXIST)));
    out.message = "Route exists";
    BOOST_TEST(out.reason() == std::string(std::strerror(EEXIST)) + " (Route exists)");
}
