// A small streaming JSON writer for the tools' machine-readable output
// (vzlist -j, ...): pretty-printed with a fixed indent, strings escaped so that
// any config value (quotes, control characters, stray bytes) stays valid JSON.
#pragma once

#include <concepts>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace vz {

// text as a quoted JSON string: '"' '\\' and control characters escaped, valid
// UTF-8 passed through, every byte of an invalid UTF-8 sequence replaced by
// \ufffd (JSON must be UTF-8; a parser would reject the document otherwise).
std::string json_quote(std::string_view text);

// Writes one JSON document. Methods are named per type rather than overloaded:
// an overloaded value(bool) would silently take a const char *.
//
//   JsonWriter json(std::cout);
//   json.begin_object();
//   json.key("ctid");
//   json.number(101);
//   json.end_object();
//   json.finish(); // final newline
//
// Misuse (a value where a key is due, unbalanced end_*) throws std::logic_error.
class JsonWriter {
  public:
    explicit JsonWriter(std::ostream &out, int indent = 2) : out_(out), indent_(indent) {}

    void begin_object();
    void end_object();
    void begin_array();
    void end_array();
    void key(std::string_view name);

    void string(std::string_view text);
    // A number as printf's %g writes it ("1.5", "2"); not finite: 0.
    void real(double value);
    // Any integer type; a template so that number(101) is not ambiguous
    // between the signed and the unsigned 64-bit overloads.
    template <std::integral T>
    requires(!std::same_as<T, bool>) void number(T value) {
        if constexpr (std::is_signed_v<T>)
            signed_number(value);
        else
            unsigned_number(value);
    }
    void boolean(bool value);
    // A finite number with a fixed number of decimals ("0.25").
    void decimal(double value, int decimals);
    void null();

    // Ends the document with a newline; throws if a container is still open.
    void finish();

  private:
    struct Level {
        bool object = false;
        bool empty = true;
        bool key_pending = false; // object: a key was written, its value is due
    };

    void signed_number(std::int64_t value);
    void unsigned_number(std::uint64_t value);
    void before_value();
    void before_key();
    void close(bool object);
    void newline_indent(std::size_t depth);
    void raw(std::string_view text);

    std::ostream &out_;
    int indent_;
    std::vector<Level> stack_;
    bool done_ = false; // a top-level value was written
};

} // namespace vz
