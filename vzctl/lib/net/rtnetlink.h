// rtnetlink without a library: a request (header, the family's struct,
// attributes and nests), the attributes of a reply, and a socket that sends
// one request and reads its replies. link.cpp speaks the protocol over it;
// nothing is loaded at run time and a lookup is one message, not a cache of
// everything (docs/networking.md, docs/benchmarks.md, issue 15).
#pragma once

#include "vzkit/base/fd.h"

#include <linux/netlink.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vz::net::rtnl {

class Request {
  public:
    Request(std::uint16_t type, std::uint16_t flags);

    // The family's struct (ifinfomsg, rtmsg, ...) right after the header,
    // or where a nest starts with one (a veth peer's ifinfomsg).
    template <typename T> void family(const T &header) { append(&header, sizeof header); }
    void put(std::uint16_t type, const void *data, std::size_t len);
    void put_u32(std::uint16_t type, std::uint32_t value) { put(type, &value, sizeof value); }
    void put_string(std::uint16_t type, std::string_view s); // with its NUL
    // A nest: attributes put between begin and end are inside it.
    std::size_t begin_nest(std::uint16_t type);
    void end_nest(std::size_t at);

    void add_flags(std::uint16_t flags);
    void set_seq(std::uint32_t seq);
    std::uint32_t seq() const;
    std::span<const unsigned char> bytes() const;

  private:
    void append(const void *data, std::size_t len);
    void set_u32_at(std::size_t offset, std::uint32_t value);
    void set_u16_at(std::size_t offset, std::uint16_t value);
    std::vector<unsigned char> buf_;
};

// The attributes of a message (after its family struct) or of a nest,
// by type; the last of a repeated type wins.
class Attrs {
  public:
    Attrs(std::span<const unsigned char> data, std::uint16_t max);

    std::optional<std::span<const unsigned char>> get(std::uint16_t type) const;
    std::optional<std::uint32_t> u32(std::uint16_t type) const;
    std::optional<std::string> string(std::uint16_t type) const;
    Attrs nested(std::uint16_t type, std::uint16_t max) const;

  private:
    std::vector<std::span<const unsigned char>> by_type_;
};

// One reply message: its header, and its payload after a family struct T.
struct Message {
    const nlmsghdr *header;
    std::span<const unsigned char> payload; // after the nlmsghdr

    template <typename T> std::optional<T> family() const {
        if (payload.size() < sizeof(T))
            return std::nullopt;
        T value;
        std::memcpy(&value, payload.data(), sizeof value);
        return value;
    }
    template <typename T> Attrs attrs(std::uint16_t max) const {
        const std::size_t skip = NLMSG_ALIGN(sizeof(T));
        return Attrs(payload.size() > skip ? payload.subspan(skip) : payload.subspan(0, 0), max);
    }
};

// What the kernel answered: 0 or a negative errno, with its extended ack's
// message when it gave one.
struct Outcome {
    int error = 0;
    std::string message;
    std::string reason() const; // "File exists (the kernel's message)"
};

class Socket {
  public:
    // A NETLINK_ROUTE socket in the caller's network namespace; Error
    // (VZ_SYSTEM_ERROR) when there is none.
    Socket();
    // Sends req with NLM_F_ACK and waits for its acknowledgement.
    Outcome change(Request &req);
    // Sends a get or a dump and hands each reply to fn (a dump: until its
    // end; -EINTR when the kernel marks it interrupted, to be asked again).
    Outcome query(Request &req, const std::function<void(const Message &)> &fn);

  private:
    void send(Request &req);
    UniqueFd fd_;
    std::uint32_t seq_ = 0;
    std::vector<unsigned char> buf_;
};

} // namespace vz::net::rtnl
