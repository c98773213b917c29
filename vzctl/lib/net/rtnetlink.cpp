#include "net/rtnetlink.h"

#include "vzkit/base/error.h"

#include <sys/socket.h>

#include <cerrno>

namespace vz::net::rtnl {
namespace {

// Replies are read into this much: the kernel sizes a dump's batches to the
// reader's buffer but never over 32 KiB, so nothing is cut short.
constexpr std::size_t kReplyBuffer = 64 * 1024;

} // namespace

Request::Request(std::uint16_t type, std::uint16_t flags) {
    nlmsghdr h{};
    h.nlmsg_len = sizeof h;
    h.nlmsg_type = type;
    h.nlmsg_flags = static_cast<std::uint16_t>(NLM_F_REQUEST | flags);
    append(&h, sizeof h);
}

void Request::append(const void *data, std::size_t len) {
    const auto *p = static_cast<const unsigned char *>(data);
    buf_.insert(buf_.end(), p, p + len);
    buf_.resize(NLMSG_ALIGN(buf_.size()), 0);
    set_u32_at(offsetof(nlmsghdr, nlmsg_len), static_cast<std::uint32_t>(buf_.size()));
}

void Request::set_u32_at(std::size_t offset, std::uint32_t value) {
    std::memcpy(buf_.data() + offset, &value, sizeof value);
}

void Request::set_u16_at(std::size_t offset, std::uint16_t value) {
    std::memcpy(buf_.data() + offset, &value, sizeof value);
}

void Request::put(std::uint16_t type, const void *data, std::size_t len) {
    nlattr a{};
    a.nla_len = static_cast<std::uint16_t>(NLA_HDRLEN + len);
    a.nla_type = type;
    append(&a, sizeof a); // NLA_HDRLEN: already aligned
    append(data, len);
}

void Request::put_string(std::uint16_t type, std::string_view s) {
    std::string z(s);
    put(type, z.c_str(), z.size() + 1);
}

std::size_t Request::begin_nest(std::uint16_t type) {
    const std::size_t at = buf_.size();
    nlattr a{};
    a.nla_type = type;
    append(&a, sizeof a);
    return at;
}

void Request::end_nest(std::size_t at) {
    set_u16_at(at + offsetof(nlattr, nla_len), static_cast<std::uint16_t>(buf_.size() - at));
}

void Request::add_flags(std::uint16_t flags) {
    std::uint16_t now;
    std::memcpy(&now, buf_.data() + offsetof(nlmsghdr, nlmsg_flags), sizeof now);
    set_u16_at(offsetof(nlmsghdr, nlmsg_flags), static_cast<std::uint16_t>(now | flags));
}

void Request::set_seq(std::uint32_t seq) {
    set_u32_at(offsetof(nlmsghdr, nlmsg_seq), seq);
}

std::uint32_t Request::seq() const {
    std::uint32_t seq;
    std::memcpy(&seq, buf_.data() + offsetof(nlmsghdr, nlmsg_seq), sizeof seq);
    return seq;
}

std::span<const unsigned char> Request::bytes() const {
    return buf_;
}

Attrs::Attrs(std::span<const unsigned char> data, std::uint16_t max)
    : by_type_(static_cast<std::size_t>(max) + 1) {
    while (data.size() >= NLA_HDRLEN) {
        nlattr a;
        std::memcpy(&a, data.data(), sizeof a);
        if (a.nla_len < NLA_HDRLEN || a.nla_len > data.size())
            break;
        const std::uint16_t type = a.nla_type & NLA_TYPE_MASK;
        if (type <= max)
            by_type_[type] = data.subspan(NLA_HDRLEN, a.nla_len - NLA_HDRLEN);
        const std::size_t next = NLA_ALIGN(a.nla_len);
        if (next >= data.size())
            break;
        data = data.subspan(next);
    }
}

std::optional<std::span<const unsigned char>> Attrs::get(std::uint16_t type) const {
    if (type >= by_type_.size() || by_type_[type].data() == nullptr)
        return std::nullopt;
    return by_type_[type];
}

std::optional<std::uint32_t> Attrs::u32(std::uint16_t type) const {
    auto a = get(type);
    if (!a || a->size() < sizeof(std::uint32_t))
        return std::nullopt;
    std::uint32_t v;
    std::memcpy(&v, a->data(), sizeof v);
    return v;
}

std::optional<std::string> Attrs::string(std::uint16_t type) const {
    auto a = get(type);
    if (!a)
        return std::nullopt;
    std::string s(reinterpret_cast<const char *>(a->data()), a->size());
    if (auto nul = s.find('\0'); nul != std::string::npos)
        s.resize(nul);
    return s;
}

Attrs Attrs::nested(std::uint16_t type, std::uint16_t max) const {
    auto a = get(type);
    return Attrs(a ? *a : std::span<const unsigned char>(), max);
}

std::string Outcome::reason() const {
    std::string r = std::strerror(-error);
    if (!message.empty())
        r += " (" + message + ")";
    return r;
}

Socket::Socket() : fd_(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE)) {
    if (!fd_)
        throw_errno(VZ_SYSTEM_ERROR, "Unable to open a netlink socket");
    // The kernel's own words on a refusal; acknowledgements without a copy
    // of the request; gets and dumps filtered by the kernel (an address
    // dump of one device). Older kernels lack some: nothing depends on them.
    const int on = 1;
    for (int opt : {NETLINK_EXT_ACK, NETLINK_CAP_ACK, NETLINK_GET_STRICT_CHK})
        (void)setsockopt(fd_.get(), SOL_NETLINK, opt, &on, sizeof on);
    buf_.resize(kReplyBuffer);
}

void Socket::send(Request &req) {
    req.set_seq(++seq_);
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    const auto bytes = req.bytes();
    for (;;) {
        const ssize_t n = sendto(fd_.get(), bytes.data(), bytes.size(), 0,
                                 reinterpret_cast<const sockaddr *>(&kernel), sizeof kernel);
        if (n == static_cast<ssize_t>(bytes.size()))
            return;
        if (n < 0 && errno == EINTR)
            continue;
        throw_errno(VZ_SYSTEM_ERROR, "Unable to send a netlink request");
    }
}

Outcome Socket::query(Request &req, const std::function<void(const Message &)> &fn) {
    send(req);
    const std::uint32_t seq = req.seq();
    bool interrupted = false;
    for (;;) {
        sockaddr_nl from{};
        socklen_t from_len = sizeof from;
        const ssize_t n = recvfrom(fd_.get(), buf_.data(), buf_.size(), MSG_TRUNC,
                                   reinterpret_cast<sockaddr *>(&from), &from_len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            throw_errno(VZ_SYSTEM_ERROR, "Unable to read a netlink reply");
        }
        // Only the kernel answers: a socket in a container's namespace
        // reads nothing another process there sends it.
        if (from.nl_pid != 0)
            continue;
        if (static_cast<std::size_t>(n) > buf_.size())
            throw Error(VZ_SYSTEM_ERROR,
                        "A netlink reply did not fit in " + std::to_string(buf_.size()) + " bytes");
        const auto size = static_cast<std::size_t>(n);
        for (std::size_t at = 0; at + NLMSG_HDRLEN <= size;) {
            const auto *h = reinterpret_cast<const nlmsghdr *>(buf_.data() + at);
            if (h->nlmsg_len < NLMSG_HDRLEN || h->nlmsg_len > size - at)
                break; // not a whole message: nothing more in this read
            at += NLMSG_ALIGN(h->nlmsg_len);
            if (h->nlmsg_seq != seq)
                continue; // a late reply to an earlier request
            const auto *p = reinterpret_cast<const unsigned char *>(h);
            const std::span<const unsigned char> payload(p + NLMSG_HDRLEN,
                                                         h->nlmsg_len - NLMSG_HDRLEN);
            if (h->nlmsg_flags & NLM_F_DUMP_INTR)
                interrupted = true;
            if (h->nlmsg_type == NLMSG_ERROR) {
                Outcome out;
                nlmsgerr e{};
                std::memcpy(&e, payload.data(), std::min(sizeof e, payload.size()));
                out.error = e.error;
                if (h->nlmsg_flags & NLM_F_ACK_TLVS) {
                    std::size_t skip = sizeof e;
                    if (!(h->nlmsg_flags & NLM_F_CAPPED))
                        skip += e.msg.nlmsg_len - NLMSG_HDRLEN;
                    if (skip < payload.size())
                        out.message = Attrs(payload.subspan(skip), NLMSGERR_ATTR_MAX)
                                          .string(NLMSGERR_ATTR_MSG)
                                          .value_or("");
                }
                return out;
            }
            if (h->nlmsg_type == NLMSG_DONE) {
                Outcome out;
                if (payload.size() >= sizeof(int))
                    std::memcpy(&out.error, payload.data(), sizeof(int));
                if (interrupted && out.error == 0)
                    out.error = -EINTR;
                return out;
            }
            if (fn)
                fn(Message{h, payload});
            if (!(h->nlmsg_flags & NLM_F_MULTI))
                return {}; // the one reply to a get
        }
    }
}

Outcome Socket::change(Request &req) {
    req.add_flags(NLM_F_ACK);
    return query(req, nullptr);
}

} // namespace vz::net::rtnl
