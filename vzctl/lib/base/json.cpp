#include "vzkit/base/json.h"

#include <cmath>
#include <cstdio>
#include <algorithm>
#include <array>
#include <stdexcept>
#include <cmath>
#include <cstdio>

namespace vz {
namespace {

constexpr std::string_view kReplacement = "\\ufffd";

struct ShortEscape {
    char c;
    std::string_view text;
};

// The escapes JSON spells with a letter; other control characters use \u00XX.
constexpr auto kShortEscapes = std::to_array<ShortEscape>({
    {'"', "\\\""},
    {'\\', "\\\\"},
    {'\b', "\\b"},
    {'\f', "\\f"},
    {'\n', "\\n"},
    {'\r', "\\r"},
    {'\t', "\\t"},
});

// Length of the valid UTF-8 sequence starting at text[pos], or 0 when the
// bytes there are not one (overlong forms, surrogates and code points above
// U+10FFFF included, as RFC 3629 demands).
std::size_t utf8_sequence_length(std::string_view text, std::size_t pos) {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[pos + i]); };
    const unsigned char lead = byte(0);
    std::size_t length = 0;
    unsigned char low = 0x80; // allowed range of the second byte
    unsigned char high = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) {
        length = 2;
    } else if (lead >= 0xe0 && lead <= 0xef) {
        length = 3;
        low = lead == 0xe0 ? 0xa0 : 0x80;  // no overlong 3-byte forms
        high = lead == 0xed ? 0x9f : 0xbf; // no UTF-16 surrogates
    } else if (lead >= 0xf0 && lead <= 0xf4) {
        length = 4;
        low = lead == 0xf0 ? 0x90 : 0x80;  // no overlong 4-byte forms
        high = lead == 0xf4 ? 0x8f : 0xbf; // nothing above U+10FFFF
    } else {
        return 0;
    }
    if (pos + length > text.size() || byte(1) < low || byte(1) > high)
        return 0;
    for (std::size_t i = 2; i < length; ++i)
        if (byte(i) < 0x80 || byte(i) > 0xbf)
            return 0;
    return length;
}

void append_control(std::string &out, unsigned char c) {
    constexpr std::string_view kHex = "0123456789abcdef";
    out += "\\u00";
    out += kHex[c >> 4];
    out += kHex[c & 0x0f];
}

} // namespace

std::string json_quote(std::string_view text) {
    std::string out;
    out.reserve(text.size() + 2);
    out += '"';
    std::size_t pos = 0;
    while (pos < text.size()) {
        const auto c = static_cast<unsigned char>(text[pos]);
        if (c >= 0x80) {
            const std::size_t length = utf8_sequence_length(text, pos);
            if (length == 0) {
                out += kReplacement;
                ++pos;
            } else {
                out.append(text.substr(pos, length));
                pos += length;
            }
            continue;
        }
        auto it = std::ranges::find(kShortEscapes, text[pos], &ShortEscape::c);
        if (it != kShortEscapes.end())
            out += it->text;
        else if (c < 0x20)
            append_control(out, c);
        else
            out += text[pos];
        ++pos;
    }
    out += '"';
    return out;
}

void JsonWriter::raw(std::string_view text) {
    out_ << text;
}

void JsonWriter::newline_indent(std::size_t depth) {
    out_ << '\n' << std::string(depth * static_cast<std::size_t>(indent_), ' ');
}

// Every value goes through here: it places the comma and line break that
// separate it from its predecessor in an array, or checks that its key came.
void JsonWriter::before_value() {
    if (stack_.empty()) {
        if (done_)
            throw std::logic_error("JSON: a second top-level value");
        done_ = true;
        return;
    }
    Level &level = stack_.back();
    if (level.object) {
        if (!level.key_pending)
            throw std::logic_error("JSON: a value in an object without a key");
        level.key_pending = false;
        return;
    }
    if (!level.empty)
        raw(",");
    level.empty = false;
    newline_indent(stack_.size());
}

void JsonWriter::before_key() {
    if (stack_.empty() || !stack_.back().object || stack_.back().key_pending)
        throw std::logic_error("JSON: a key outside an object or twice in a row");
    Level &level = stack_.back();
    if (!level.empty)
        raw(",");
    level.empty = false;
    level.key_pending = true;
    newline_indent(stack_.size());
}

void JsonWriter::key(std::string_view name) {
    before_key();
    raw(json_quote(name));
    raw(": ");
}

void JsonWriter::begin_object() {
    before_value();
    raw("{");
    stack_.push_back({.object = true});
}

void JsonWriter::begin_array() {
    before_value();
    raw("[");
    stack_.push_back({.object = false});
}

// An empty container stays on one line ("[]", "{}"), as Python's json does.
void JsonWriter::close(bool object) {
    if (stack_.empty() || stack_.back().object != object || stack_.back().key_pending)
        throw std::logic_error("JSON: unbalanced end of a container");
    const bool empty = stack_.back().empty;
    stack_.pop_back();
    if (!empty)
        newline_indent(stack_.size());
    raw(object ? "}" : "]");
}

void JsonWriter::end_object() {
    close(true);
}
void JsonWriter::end_array() {
    close(false);
}

void JsonWriter::string(std::string_view text) {
    before_value();
    raw(json_quote(text));
}

void JsonWriter::real(double value) {
    before_value();
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", std::isfinite(value) ? value : 0.0);
    raw(buf);
}

void JsonWriter::signed_number(std::int64_t value) {
    before_value();
    out_ << value;
}

void JsonWriter::unsigned_number(std::uint64_t value) {
    before_value();
    out_ << value;
}

void JsonWriter::decimal(double value, int decimals) {
    before_value();
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, std::isfinite(value) ? value : 0.0);
    raw(buf);
}

void JsonWriter::boolean(bool value) {
    before_value();
    raw(value ? "true" : "false");
}

void JsonWriter::null() {
    before_value();
    raw("null");
}

void JsonWriter::finish() {
    if (!stack_.empty() || !done_)
        throw std::logic_error("JSON: document is incomplete");
    out_ << '\n';
}

} // namespace vz
