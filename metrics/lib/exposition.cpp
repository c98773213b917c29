// The text exposition format: escaping and rendering (exposition.h).
#include "vzkit/metrics/exposition.h"

#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace vz::metrics {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD"; // U+FFFD

// Length of the valid UTF-8 sequence starting at text[i], 0 if there is none
// (an overlong form, a surrogate, beyond U+10FFFF, cut short).
std::size_t utf8_length(std::string_view text, std::size_t i) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char lead = byte(i);
    if (lead < 0x80)
        return 1;
    std::size_t length = 0;
    unsigned char low = 0x80, high = 0xBF; // bounds of the second byte
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        low = lead == 0xE0 ? 0xA0 : 0x80;
        high = lead == 0xED ? 0x9F : 0xBF;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        low = lead == 0xF0 ? 0x90 : 0x80;
        high = lead == 0xF4 ? 0x8F : 0xBF;
    } else {
        return 0;
    }
    if (i + length > text.size() || byte(i + 1) < low || byte(i + 1) > high)
        return 0;
    for (std::size_t k = 2; k < length; ++k)
        if (byte(i + k) < 0x80 || byte(i + k) > 0xBF)
            return 0;
    return length;
}

struct Escape {
    char raw;
    std::string_view written;
};
constexpr auto kLabelEscapes =
    std::to_array<Escape>({{'\\', "\\\\"}, {'"', "\\\""}, {'\n', "\\n"}});
constexpr auto kHelpEscapes = std::to_array<Escape>({{'\\', "\\\\"}, {'\n', "\\n"}});

template <std::size_t N>
std::string escape(std::string_view text, const std::array<Escape, N> &escapes) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t length = utf8_length(text, i);
        if (length == 0) {
            out += kReplacement;
            ++i;
            continue;
        }
        if (length == 1) {
            const Escape *hit = nullptr;
            for (const auto &e : escapes)
                if (e.raw == text[i])
                    hit = &e;
            if (hit)
                out += hit->written;
            else
                out += text[i];
        } else {
            out += text.substr(i, length);
        }
        i += length;
    }
    return out;
}

constexpr std::array<std::string_view, 2> kTypeNames = {"gauge", "counter"};

} // namespace

std::string escape_label_value(std::string_view value) {
    return escape(value, kLabelEscapes);
}

std::string escape_help(std::string_view text) {
    return escape(text, kHelpEscapes);
}

std::string format_value(std::uint64_t value) {
    return std::to_string(value);
}

std::string format_value(double value) {
    if (std::isnan(value))
        return "NaN";
    if (std::isinf(value))
        return value > 0 ? "+Inf" : "-Inf";
    std::array<char, 32> buffer{};
    std::snprintf(buffer.data(), buffer.size(), "%.17g", value);
    // The shortest of %.15g .. %.17g that reads back as the same double.
    for (int digits = 15; digits < 17; ++digits) {
        std::array<char, 32> shorter{};
        std::snprintf(shorter.data(), shorter.size(), "%.*g", digits, value);
        if (std::strtod(shorter.data(), nullptr) == value)
            return shorter.data();
    }
    return buffer.data();
}

std::string render(const std::vector<Family> &families) {
    std::string out;
    for (const Family &family : families) {
        if (family.samples.empty())
            continue;
        out += "# HELP " + family.name + ' ' + escape_help(family.help) + '\n';
        out += "# TYPE " + family.name + ' ' +
               std::string(kTypeNames.at(static_cast<std::size_t>(family.type))) + '\n';
        for (const Sample &sample : family.samples) {
            out += family.name;
            if (!sample.labels.empty()) {
                out += '{';
                for (std::size_t i = 0; i < sample.labels.size(); ++i) {
                    if (i)
                        out += ',';
                    out += sample.labels[i].name + "=\"" +
                           escape_label_value(sample.labels[i].value) + '"';
                }
                out += '}';
            }
            out += ' ' + sample.value + '\n';
        }
    }
    return out;
}

} // namespace vz::metrics
