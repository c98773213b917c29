// Label values and HELP texts of vzkit-metrics (vzkit/metrics/exposition.h):
// any bytes (a hostname a customer chose) become text that stays inside its
// quotes and its line, is valid UTF-8, and reads back as Prometheus' parser
// reads it: the input itself when it was valid UTF-8.
#include "fuzz.h"
#include "vzkit/metrics/exposition.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace {

// An independent check of UTF-8 (RFC 3629): no overlong form, no surrogate,
// nothing beyond U+10FFFF, nothing cut short.
bool valid_utf8(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
        std::size_t n = 0;
        std::uint32_t cp = 0;
        if (b(i) < 0x80) {
            n = 1;
            cp = b(i);
        } else if ((b(i) & 0xE0) == 0xC0) {
            n = 2;
            cp = b(i) & 0x1F;
        } else if ((b(i) & 0xF0) == 0xE0) {
            n = 3;
            cp = b(i) & 0x0F;
        } else if ((b(i) & 0xF8) == 0xF0) {
            n = 4;
            cp = b(i) & 0x07;
        } else {
            return false;
        }
        if (i + n > s.size())
            return false;
        for (std::size_t k = 1; k < n; ++k) {
            if ((b(i + k) & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (b(i + k) & 0x3F);
        }
        constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += n;
    }
    return true;
}

// What Prometheus' text parser does between a label's quotes: the value up
// to the first unescaped quote; nullopt for an unknown escape or a line feed.
std::optional<std::string> unescape_label(std::string_view s, std::size_t &consumed) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '"' || s[i] == '\n') {
            consumed = i;
            return s[i] == '"' ? std::optional(out) : std::nullopt;
        }
        if (s[i] != '\\') {
            out += s[i];
            continue;
        }
        if (++i == s.size())
            return std::nullopt;
        if (s[i] == '\\' || s[i] == '"')
            out += s[i];
        else if (s[i] == 'n')
            out += '\n';
        else
            return std::nullopt;
    }
    consumed = s.size();
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char *>(data), size);
    const std::string escaped = vz::metrics::escape_label_value(input);
    FUZZ_CHECK(valid_utf8(escaped));
    FUZZ_CHECK(escaped.find('\n') == std::string::npos);
    // Closed by the quote render() writes after it, and by nothing before.
    const std::string quoted = escaped + "\"} 1\n";
    std::size_t consumed = 0;
    const auto value = unescape_label(quoted, consumed);
    FUZZ_CHECK(value && consumed == escaped.size());
    if (valid_utf8(input))
        FUZZ_CHECK(*value == input);
    const std::string help = vz::metrics::escape_help(input);
    FUZZ_CHECK(valid_utf8(help));
    FUZZ_CHECK(help.find('\n') == std::string::npos);
    return 0;
}
